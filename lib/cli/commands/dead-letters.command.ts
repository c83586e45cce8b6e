import type { Command } from 'commander';
import { replayDeadLetters } from '../../operator/dead-letter-replay.js';
import { viewDeadLetter } from '../../operator/dead-letter.view.js';
import { integerAtLeast } from '../cli-arguments.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';

export function registerDeadLetters(program: Command, session: CliSession): void {
  const deadLetters = program
    .command('dead-letters')
    .description('messages a queue could not process, with the reason; replay or delete them');
  deadLetters
    .command('list')
    .description('dead letters of a queue, oldest first')
    .argument('<queue>', 'queue name')
    .option('--limit <n>', 'at most this many', integerAtLeast(1), 100)
    .action(session.action(list));
  deadLetters
    .command('replay')
    .description('put dead letters back on their queue as new messages (all, or the ids given)')
    .argument('<queue>', 'queue name')
    .argument('[ids...]', 'message ids (default: all)')
    .action(session.action(replay));
  deadLetters
    .command('delete')
    .description('drop dead letters (the ids given, or all with --all)')
    .argument('<queue>', 'queue name')
    .argument('[ids...]', 'message ids')
    .option('--all', 'drop every dead letter of the queue')
    .action(session.action(remove));
}

async function list({ connection, out }: CommandContext, queue: string, flags: { limit: number }) {
  const broker = await connection.getBroker();
  const letters = (await broker.deadLetters(queue, flags.limit)).map(viewDeadLetter);
  out.result(letters, () =>
    out.table(
      ['MESSAGE ID', 'DEAD-LETTERED AT', 'TASK', 'REASON'],
      letters.map((letter) => [
        letter.messageId,
        new Date(letter.at).toISOString(),
        letter.task,
        letter.reason,
      ]),
    ),
  );
}

async function replay({ connection, out }: CommandContext, queue: string, ids: string[]) {
  const broker = await connection.getBroker();
  // Where results can be read, the tasks' FAILURE records are reset so the tasks run again.
  const backend = connection.hasBackend ? await connection.getBackend() : undefined;
  const replayed = await replayDeadLetters(broker, backend, queue, ids.length > 0 ? ids : undefined);
  out.result({ queue, replayed }, () => out.line(`replayed ${replayed} dead letter(s) onto "${queue}"`));
  return ids.length > 0 && replayed < ids.length ? ExitCode.NOT_FOUND : ExitCode.OK;
}

async function remove(
  { connection, out }: CommandContext,
  queue: string,
  ids: string[],
  flags: { all?: boolean },
) {
  if (ids.length === 0 && !flags.all) {
    throw new CliError(ExitCode.USAGE, 'name the message ids to delete, or pass --all');
  }
  const broker = await connection.getBroker();
  const deleted = await broker.deleteDeadLetters(queue, ids.length > 0 ? ids : undefined);
  out.result({ queue, deleted }, () => out.line(`deleted ${deleted} dead letter(s) of "${queue}"`));
  return ids.length > 0 && deleted < ids.length ? ExitCode.NOT_FOUND : ExitCode.OK;
}
