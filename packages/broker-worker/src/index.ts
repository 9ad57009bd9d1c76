import { app } from "./app.js";

export type { Env } from "./env.js";
export default app;
