// Test fixture: writes output without end (the executor must stop it by output limit).
import { writeStdout } from "../../_sdk";
export { u6u_alloc } from "../../_sdk";
const chunk = "x".repeat(4096);
while (true) writeStdout(chunk);
