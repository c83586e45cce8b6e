/** A failed expectation of `celeriac/testing` (thrown, so any test runner reports it with its message). */
export class TaskExpectationError extends Error {
  override readonly name = 'TaskExpectationError';
}
