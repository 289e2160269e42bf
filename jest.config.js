// Jest 30 in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts).
// @swc/jest strips types; `npm run typecheck` (tsc -b) checks them as its own step.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/build/', '/dist/'],
};

export default {
  // Unit tests stay fast; 20 s is room for a machine several times slower than a laptop, not a budget.
  testTimeout: 20_000,
  // Both cores of the CI machine: the whole suite in ~11 min instead of ~22 min with jest's default of one
  // worker on two cores (2026-12-07). Tests that wait on real servers carry timeouts for a loaded machine.
  maxWorkers: 2,
  projects: [
    // Fast, deterministic: pure functions and in-process parts. Beside their sources (the bench's tools too).
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/*/src/**/*.test.ts', '<rootDir>/*/bench/**/*.test.ts'] },
    // Real servers on loopback (embedded broker, Mosquitto, VictoriaMetrics, Chromium).
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/*/test/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest.integration-setup.js'],
      slowTestThreshold: 30,
    },
  ],
};
