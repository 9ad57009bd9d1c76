// Test fixture: hits `unreachable` (a trap).
export { u6u_alloc } from "../../_sdk";
function boom(): void {
  unreachable();
}
boom();
