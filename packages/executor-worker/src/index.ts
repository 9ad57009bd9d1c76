import { manifest, modules } from "components";
import { createApp } from "./app.js";

export default createApp({ modules, manifest });
