/** The executor's version (package.json's, checked by test/version.test.ts): the User-Agent says it. */
export const VERSION = "0.1.0";
