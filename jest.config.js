/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TS151002: ts-jest would rather have isolatedModules with module node16; it would also stop type-checking tests.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false, ignoreCodes: [151002] } }],
    // @bsull/augurs is ESM-only and jest has no require(esm); see test/support/esm-transform.js.
    '/node_modules/@bsull/augurs/[^/]+\\.js$': '<rootDir>/test/support/esm-transform.js',
    // jose (JWT) is ESM-only too; src/access/tokens.ts requires it the same way.
    '/node_modules/jose/dist/.+\\.js$': '<rootDir>/test/support/esm-transform.js',
  },
  // jest's default ignores all of node_modules; let the transforms above reach @bsull/augurs and jose, and only them.
  transformIgnorePatterns: ['/node_modules/(?!@bsull/augurs/|jose/)', '\\.pnp\\.[^\\/]+$'],
  // The conformance and ontology suites load thousands of documents; give them room on a 2-core machine.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
