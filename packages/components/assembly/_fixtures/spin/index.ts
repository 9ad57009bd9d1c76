// Test fixture: loops forever without a host call (the executor must stop it by fuel).
export { u6u_alloc } from "../../_sdk";
let n: u64 = 0;
while (true) n++;
