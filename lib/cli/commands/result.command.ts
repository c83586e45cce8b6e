import type { Command } from 'commander';
import { TaskHandle } from '../../client/task.handle.js';
import { WaitTimeoutError } from '../../errors/wait-timeout.error.js';
import { integerAtLeast } from '../cli-arguments.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';
import { printRecord } from '../record-output.js';

export function registerResult(program: Command, session: CliSession): void {
  program
    .command('result')
    .description("show a task's state, progress and result or error")
    .argument('<id>', 'task id')
    .option('--wait [ms]', 'wait until the task is ready (at most ms, when given)')
    .action(session.action(result));
}

async function result({ connection, out }: CommandContext, id: string, flags: { wait?: boolean | string }) {
  const backend = await connection.getBackend();
  if (flags.wait === undefined) {
    const record = await backend.get(id);
    if (!record) throw new CliError(ExitCode.NOT_FOUND, `no task ${id} (unknown id, or its record expired)`);
    return printRecord(out, record);
  }
  const timeout = typeof flags.wait === 'string' ? integerAtLeast(1)(flags.wait) : undefined;
  try {
    return printRecord(out, await new TaskHandle(id, backend).waitForRecord({ timeout }));
  } catch (error) {
    if (error instanceof WaitTimeoutError) {
      throw new CliError(ExitCode.TIMEOUT, `task ${id} is not ready after ${timeout} ms`);
    }
    throw error;
  }
}
