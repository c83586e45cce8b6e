import { type Command, Option } from 'commander';
import { protocolOfDeadLetters } from '../../operator/dead-letter-protocol.js';
import { replayDeadLetters } from '../../operator/dead-letter-replay.js';
import { viewDeadLetter } from '../../operator/dead-letter.view.js';
import { QUEUE_PROTOCOLS, type QueueProtocol } from '../../protocol/queue-protocol.js';
import type { BrokerLayout } from '../cli-connection.js';
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
    .addOption(
      new Option(
        '--protocol <protocol>',
        "the queue's wire protocol (default: celery when a letter is a Celery task message, else celeriac)",
      ).choices(QUEUE_PROTOCOLS),
    )
    .option(
      '--kombu-prefix <prefix>',
      "for a celery queue on Redis: kombu's global_keyprefix (brokerOptions.kombu.globalKeyPrefix)",
      '',
    )
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

/**
 * A letter goes back in its queue's own layout: a `protocol: 'celery'` queue is kombu's list on Redis
 * and Celery's exchange and queue on RabbitMQ, where Celery and Celeriac workers read it, not
 * Celeriac's layout. The CLI does not have the application's queue table, so the protocol is
 * `--protocol`, or read from the letters themselves.
 */
async function replay(
  { connection, out }: CommandContext,
  queue: string,
  ids: string[],
  flags: { protocol?: QueueProtocol; kombuPrefix: string },
) {
  const wanted = ids.length > 0 ? ids : undefined;
  const protocol = flags.protocol ?? (await detectProtocol(connection, queue, wanted));
  const broker = await connection.getBroker(layoutOf(queue, protocol, flags.kombuPrefix));
  // Where results can be read, the tasks' FAILURE records are reset so the tasks run again; a Celery
  // queue's workers may keep records in either format, so both are reset there.
  const formats = protocol === 'celery' ? (['celeriac', 'celery'] as const) : (['celeriac'] as const);
  const backends = connection.hasBackend
    ? await Promise.all(formats.map((format) => connection.getBackend(false, format)))
    : undefined;
  const replayed = await replayDeadLetters(broker, backends, queue, wanted);
  out.result({ queue, protocol, replayed }, () =>
    out.line(`replayed ${replayed} dead letter(s) onto "${queue}" (${protocol} protocol)`),
  );
  return wanted && replayed < wanted.length ? ExitCode.NOT_FOUND : ExitCode.OK;
}

async function detectProtocol(
  connection: CommandContext['connection'],
  queue: string,
  wanted: readonly string[] | undefined,
): Promise<QueueProtocol> {
  // Dead letters are stored alike in both layouts, so the default broker reads them.
  const letters = await (await connection.getBroker()).deadLetters(queue, Number.MAX_SAFE_INTEGER);
  const chosen = wanted ? new Set(wanted) : undefined;
  return protocolOfDeadLetters(letters.filter((letter) => !chosen || chosen.has(letter.messageId)));
}

function layoutOf(queue: string, protocol: QueueProtocol, kombuPrefix: string): BrokerLayout {
  if (protocol === 'celeriac') return {};
  return { protocols: { [queue]: protocol }, extra: { kombu: { globalKeyPrefix: kombuPrefix } } };
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
