import { createAuth } from "./auth.js";

/** The default instance: `$ARCRUN_HOME` (~/.arcrun), the OS keyring or the encrypted file, process.env. */
export const auth = createAuth();
