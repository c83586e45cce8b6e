import { type Command, Option } from 'commander';
import type { ControlReply } from '../../control/control-message.js';
import { ControlTimeoutError } from '../../errors/control-timeout.error.js';
import type { JsonValue } from '../../protocol/json-value.js';
import { integerAtLeast } from '../cli-arguments.js';
import type { CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';

/** Options every command that talks to workers takes. */
export interface ControlFlags {
  destination?: string[];
  replyTimeout: number;
}

/** Adds `--destination` and `--reply-timeout` to a command that talks to workers. */
export function withControlOptions(command: Command): Command {
  return command
    .addOption(new Option('-d, --destination <worker...>', 'only these workers (ids as `status` lists them)'))
    .addOption(
      new Option('--reply-timeout <ms>', 'how long to gather worker replies')
        .argParser(integerAtLeast(1))
        .default(1_000),
    );
}

/**
 * Sends `command` to the workers and resolves with their replies, in arrival order. No reply at all
 * is a failure (exit 1: no worker answered); a named worker that did not answer is a timeout (exit 5).
 */
export async function callWorkers<T = JsonValue>(
  { connection }: CommandContext,
  flags: ControlFlags,
  command: string,
  args: Record<string, JsonValue> = {},
): Promise<ControlReply<T>[]> {
  const control = await connection.getControl(flags.replyTimeout);
  let replies: ControlReply<T>[];
  try {
    replies = await control.call<T>(command, args, { destination: flags.destination });
  } catch (error) {
    if (error instanceof ControlTimeoutError) throw new CliError(ExitCode.TIMEOUT, error.message);
    throw error;
  }
  if (replies.length === 0) {
    throw new CliError(
      ExitCode.FAILED,
      `no worker answered within ${flags.replyTimeout} ms (are workers running on prefix "${connection.settings.prefix}"?)`,
    );
  }
  return replies.sort((a, b) => a.worker.localeCompare(b.worker));
}

/** The value of each worker that answered ok, and a line on stderr for each that answered with an error. */
export function valuesOf<T>(
  context: CommandContext,
  replies: ControlReply<T>[],
): { worker: string; value: T }[] {
  const values: { worker: string; value: T }[] = [];
  for (const reply of replies) {
    if (reply.ok) values.push({ worker: reply.worker, value: reply.value });
    else context.io.stderr(`celeriac: ${reply.worker}: ${reply.error}\n`);
  }
  return values;
}

/** Exit 1 when any worker answered with an error. */
export function exitOf(replies: ControlReply<unknown>[]): ExitCode {
  return replies.every((reply) => reply.ok) ? ExitCode.OK : ExitCode.FAILED;
}
