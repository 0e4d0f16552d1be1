/**
 * A jest reporter that records the run's totals in .jest-summary.json, so that .ci/run can end with
 * the one line CI reads ("N passed, N failed, N skipped") whatever jest itself prints.
 */
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    fs.writeFileSync(path.join(this.rootDir, '.jest-summary.json'), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
