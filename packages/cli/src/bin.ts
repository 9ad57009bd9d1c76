#!/usr/bin/env node
import { main } from "./main.js";

// `arcrun list | head` closes the pipe early: that is the reader's choice, not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// The process ends by itself once the command is over: arcrun-auth releases stdin after a paste-back or a
// prompt, and idle keep-alive sockets do not hold the event loop. Setting the exit code (not process.exit)
// lets everything written to stdout and stderr drain first.
main(process.argv.slice(2))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
  });
