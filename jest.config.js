// Jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts) because
// NestJS 12 ships as ES modules only.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
  ],
  testTimeout: 30_000,
  // npm test runs the files one at a time (--maxWorkers=1) in a worker process that is replaced
  // once it holds more than this after a file: a single long-lived process keeps ~10 MB of every
  // file's module graph (ESM mode), and past 1 GB its collections slowed allocation-heavy cases
  // five- to twenty-fold (the 100 000-wait backend case: 62 s late in a run, 7 s with the limit).
  workerIdleMemoryLimit: '1GB',
};
