/**
 * Reading stdin without keeping the process alive afterwards. `pause()` alone stops the reads, but a
 * paused pipe or socket stdin (a parent process that keeps its end open, as CLIs driven by other programs
 * do) still holds the event loop: the process would never exit on its own. So a reader that is done also
 * unrefs the handle, and one that starts refs it again.
 */
type Refable = NodeJS.ReadableStream & { ref?: () => unknown; unref?: () => unknown };

/** Before reading: the handle keeps the process alive while we wait for a person. */
export function holdInput(input: NodeJS.ReadableStream): void {
  (input as Refable).ref?.();
}

/** After reading: stop reading and let the process exit when nothing else is left to do. */
export function releaseInput(input: NodeJS.ReadableStream): void {
  input.pause();
  (input as Refable).unref?.();
}
