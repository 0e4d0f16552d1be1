/**
 * A jest reporter that records the run's totals in .jest-summary.json, so that .ci/run can end with
 * the one line CI reads ("N passed, N failed, N skipped") whatever jest itself prints. A run that must not
 * overwrite that file (`npm run test:neo4j`, which .ci/run runs after `npm test` and adds to the same line)
 * names its own file in TWINGRAPH_JEST_SUMMARY.
 */
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.file = path.resolve(globalConfig.rootDir, process.env.TWINGRAPH_JEST_SUMMARY || '.jest-summary.json');
  }

  onRunComplete(_contexts, results) {
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
