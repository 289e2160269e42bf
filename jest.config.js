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
  projects: [
    // Fast, deterministic: pure functions and in-process parts. Beside their sources (the bench's tools too).
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/*/src/**/*.test.ts', '<rootDir>/*/bench/**/*.test.ts'] },
    // Real servers on loopback (embedded broker, Mosquitto, VictoriaMetrics, Chromium).
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/*/test/**/*.test.ts'], slowTestThreshold: 30 },
  ],
};
