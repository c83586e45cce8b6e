import type { TaskRecord } from '../backends/task-record.js';
import { TaskState } from '../backends/task-state.js';
import type { CliOutput } from './cli-output.js';
import { ExitCode } from './exit-code.js';

/** Prints a task's record (JSON: the record as stored) and says what exit code its state means. */
export function printRecord(out: CliOutput, record: TaskRecord): ExitCode {
  out.result(record, () =>
    out.fields([
      ['id', record.id],
      ['task', record.task],
      ['queue', record.queue],
      ['state', record.state],
      ['retries', record.retries],
      ['progress', record.progress],
      ['result', record.state === TaskState.SUCCESS ? (record.result ?? null) : undefined],
      ['error', record.error ? `${record.error.name}: ${record.error.message}` : undefined],
      ['group', record.group],
      ['parent', record.parentId],
      ['root', record.rootId !== record.id ? record.rootId : undefined],
      ['updated', new Date(record.updatedAt).toISOString()],
    ]),
  );
  return record.state === TaskState.FAILURE || record.state === TaskState.REVOKED
    ? ExitCode.FAILED
    : ExitCode.OK;
}
