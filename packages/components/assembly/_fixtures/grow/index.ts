// Test fixture: grows memory without end (the executor must stop it by memory limit).
export { u6u_alloc } from "../../_sdk";
while (true) heap.alloc(1 << 20);
