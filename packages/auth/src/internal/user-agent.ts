import { version } from "../../package.json";

/**
 * What arcrun sends as `User-Agent` when the caller set none. GitHub's REST API rejects requests without
 * one (docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api, "User-Agent"), and
 * other providers ask for one to identify the client.
 */
export const USER_AGENT = `arcrun/${version}`;
