// Prints the plain "N passed, N failed" line this CI reads, from vitest's JSON report.
// A test file that failed to load counts as a failure; so does a failed lint (argv[3] != 0).
import { existsSync, readFileSync } from "node:fs";

const [file = "test-results.json", lint = "0"] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(file)) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const suite of r.testResults ?? []) {
    if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) {
      console.log(`ci: test file failed to run: ${suite.name}`);
      failed += 1;
    }
  }
} else {
  console.log(`ci: no ${file}: the test run did not finish`);
  failed += 1;
}
if (lint !== "0") {
  console.log("ci: lint failed");
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
