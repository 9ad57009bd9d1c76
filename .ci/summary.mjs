// Prints the plain "N passed, N failed" line this CI reads, from vitest's JSON reports: one per Node version.
// argv: <lint status> <label>=<report.json>... A test file that failed to load counts as a failure; so does a
// report that is missing (the run did not finish), a run that passed nothing, and a failed lint (status != 0).
// The per-version lines avoid the "N passed, N failed" shape, so the last line is the only one that has it.
import { existsSync, readFileSync } from "node:fs";

const [lint = "0", ...runs] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const run of runs) {
  const at = run.indexOf("=");
  const label = run.slice(0, at);
  const file = run.slice(at + 1);
  if (!existsSync(file)) {
    console.log(`ci: ${label}: no ${file}, the test run did not finish`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  const own = {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
  for (const suite of r.testResults ?? []) {
    if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) {
      console.log(`ci: ${label}: test file failed to run: ${suite.name}`);
      own.failed += 1;
    }
  }
  if (own.passed === 0) {
    console.log(`ci: ${label}: no test passed`);
    own.failed += 1;
  }
  console.log(`ci: ${label}: passed ${own.passed}, failed ${own.failed}, skipped ${own.skipped}`);
  passed += own.passed;
  failed += own.failed;
  skipped += own.skipped;
}
if (runs.length === 0) {
  console.log("ci: no test report given");
  failed += 1;
}
if (lint !== "0") {
  console.log("ci: lint failed");
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
