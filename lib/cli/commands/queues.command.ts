import type { Command } from 'commander';
import type { QueueStats } from '../../brokers/broker.interface.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';

export function registerQueues(program: Command, session: CliSession): void {
  program
    .command('queues')
    .description('depth of queues: ready, delayed, in flight, dead letters, consumers')
    .argument('<queue...>', 'queue names')
    .action(session.action(queues));
}

async function queues({ connection, out }: CommandContext, names: string[]) {
  if (names.length === 0) throw new CliError(ExitCode.USAGE, 'name one or more queues');
  const broker = await connection.getBroker();
  const stats = await Promise.all(names.map((name) => broker.stats(name)));
  out.result(stats, () => printQueueTable(out, stats));
}

export function printQueueTable(out: CommandContext['out'], stats: QueueStats[]): void {
  out.table(
    ['QUEUE', 'READY', 'DELAYED', 'IN FLIGHT', 'DEAD LETTERS', 'CONSUMERS'],
    stats.map((queue) => [
      queue.queue,
      queue.ready,
      queue.delayed,
      queue.inFlight,
      queue.deadLettered,
      queue.consumers,
    ]),
  );
}
