import type { Command } from 'commander';
import type { ControlReply } from '../../control/control-message.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';
import { callWorkers, type ControlFlags, exitOf, valuesOf, withControlOptions } from './control-call.js';

/** `revoke` and `rate-limit`: changes the workers apply at once. */
export function registerRevoke(program: Command, session: CliSession): void {
  withControlOptions(
    program
      .command('revoke')
      .description('revoke tasks: no worker starts them, and a worker running one aborts it')
      .argument('<id...>', 'task ids')
      .option('--terminate', 'also kill the thread or process running it (threads / processes pools)'),
  ).action(session.action(revoke));
  withControlOptions(
    program
      .command('rate-limit')
      .description("set a task's per-worker start rate until the workers restart")
      .argument('<task>', 'task name, e.g. ReportTasks.build')
      .argument('<rate>', '"10/s", "100/m", "1000/h", a number per second, or "none"'),
  ).action(session.action(rateLimit));
}

async function revoke(context: CommandContext, ids: string[], flags: ControlFlags & { terminate?: boolean }) {
  // The durable mark first: a worker that is down now, or starts later, does not run them either.
  const backend = await context.connection.getBackend();
  await Promise.all(ids.map((id) => backend.revoke(id)));
  const terminate = flags.terminate === true;
  let replies: ControlReply<{ held: string[] }>[];
  try {
    replies = await callWorkers<{ held: string[] }>(context, flags, 'revoke', { ids, terminate });
  } catch (error) {
    // Nobody answering is fine for a revoke: the mark keeps every worker from starting them. A
    // broker that cannot be reached is not: a worker running one of them was not told to abort.
    const nobodyAnswered = error instanceof CliError && error.code === ExitCode.FAILED;
    if (flags.destination || !nobodyAnswered) throw error;
    replies = [];
  }
  const held = valuesOf(context, replies).flatMap(({ worker, value }) =>
    value.held.map((id) => ({ worker, id })),
  );
  context.out.result({ revoked: ids, terminate, held }, () => {
    context.out.line(`revoked ${ids.length} task(s)${terminate ? ' (terminate)' : ''}`);
    for (const { worker, id } of held) context.out.line(`  ${id} was running on ${worker}: aborted`);
  });
  return exitOf(replies);
}

async function rateLimit(context: CommandContext, task: string, rate: string, flags: ControlFlags) {
  const value = rate === 'none' ? null : rate;
  const replies = await callWorkers<{ task: string; rate: string | null }>(context, flags, 'rate_limit', {
    task,
    rate: value,
  });
  const values = valuesOf(context, replies);
  context.out.result(replies, () => {
    for (const { worker, value: set } of values)
      context.out.line(`${worker}: ${set.task} ${set.rate ?? 'unlimited'}`);
  });
  return exitOf(replies);
}
