// celeriac/testing: helpers for testing an application's own tasks. A subpath of its own, so the
// main entry never loads @nestjs/testing; nothing here needs a particular test runner.
export { createCeleriacTestingModule, CeleriacTestingModule } from './celeriac-testing.module.js';
export { CeleriacTesting, type SentTaskMatch } from './celeriac-testing.js';
export type { CeleriacTestingOptions } from './celeriac-testing-options.interface.js';
export type { SentTask } from './sent-task.js';
export { TaskExpectationError } from './task-expectation.error.js';
