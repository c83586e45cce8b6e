import { CeleriacError } from './celeriac.error.js';

/** One thing wrong with a task's arguments: where (`args[0].customer.email`) and what. */
export interface ArgumentIssue {
  path: string;
  message: string;
}

/** The arguments do not fit the task method's parameters or its schema. */
export class InvalidArgumentsError extends CeleriacError {
  /** Every problem found, with its field path; the message names the first. */
  readonly issues: ArgumentIssue[];

  constructor(
    readonly taskName: string,
    problem: string | ArgumentIssue[],
  ) {
    const issues = typeof problem === 'string' ? [] : problem;
    super('INVALID_ARGUMENTS', `invalid arguments for task "${taskName}": ${describe(problem)}`);
    this.issues = issues;
  }
}

function describe(problem: string | ArgumentIssue[]): string {
  if (typeof problem === 'string') return problem;
  const [first, ...rest] = problem;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return `${first.path}: ${first.message}${more}`;
}
