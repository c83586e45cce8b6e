import type { Command } from 'commander';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';

export function registerPurge(program: Command, session: CliSession): void {
  program
    .command('purge')
    .description('drop every message of a queue: ready, delayed and dead letters')
    .argument('<queue>', 'queue name')
    .option('--yes', 'do not ask for confirmation')
    .action(session.action(purge));
}

async function purge({ connection, out, io }: CommandContext, queue: string, flags: { yes?: boolean }) {
  const broker = await connection.getBroker();
  const before = await broker.stats(queue);
  const what = `${before.ready} ready, ${before.delayed} delayed and ${before.deadLettered} dead-lettered message(s)`;
  if (!flags.yes) {
    const question = `drop ${what} of queue "${queue}"?`;
    if (!io.confirm) throw new CliError(ExitCode.USAGE, `purge would ${question.slice(0, -1)}: add --yes`);
    if (!(await io.confirm(question))) throw new CliError(ExitCode.FAILED, 'not purged');
  }
  await broker.purge(queue);
  const purged = { ready: before.ready, delayed: before.delayed, deadLettered: before.deadLettered };
  out.result({ queue, purged }, () => out.line(`purged ${what} from "${queue}"`));
}
