// The chaos suite (`npm run test:chaos`): fault scenarios on throw-away Redis and RabbitMQ servers
// of its own, checked by a ledger. Not part of `npm test`; CI runs it after the main suite.
// Two files run at a time: each spends most of its time waiting (servers booting, faults held,
// leases ending), and every file has servers, ports and prefixes of its own, so they do not meet.
/** @type {import('jest').Config} */
export default {
  displayName: 'chaos',
  maxWorkers: 2,
  testMatch: ['<rootDir>/test/chaos/**/*.chaos.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  testTimeout: 120_000,
};
