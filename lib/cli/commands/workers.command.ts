import type { Command } from 'commander';
import type { HeldTaskInfo, RegisteredTaskInfo, WorkerStats } from '../../control/control-commands.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';
import { callWorkers, type ControlFlags, exitOf, valuesOf, withControlOptions } from './control-call.js';

/** `ping`, `status` and `inspect …`: what the workers online say about themselves. */
export function registerWorkers(program: Command, session: CliSession): void {
  withControlOptions(program.command('ping').description('ask every worker for a pong')).action(
    session.action(ping),
  );
  withControlOptions(
    program.command('status').description('workers online: queues, pools, tasks held and processed, uptime'),
  ).action(session.action(status));
  withControlOptions(
    program
      .command('inspect')
      .description('what workers hold or know: active, reserved, scheduled, registered, stats')
      .argument('<what>', 'active | reserved | scheduled | registered | stats'),
  ).action(session.action(inspect));
}

async function ping(context: CommandContext, flags: ControlFlags) {
  const replies = await callWorkers<string>(context, flags, 'ping');
  context.out.result(replies, () => {
    for (const { worker, value } of valuesOf(context, replies)) context.out.line(`${worker}: ${value}`);
  });
  return exitOf(replies);
}

async function status(context: CommandContext, flags: ControlFlags) {
  const replies = await callWorkers<WorkerStats>(context, flags, 'stats');
  const workers = valuesOf(context, replies).map(({ value }) => value);
  context.out.result(workers, () => {
    context.out.table(
      ['WORKER', 'QUEUES', 'ACTIVE', 'PROCESSED', 'UPTIME'],
      workers.map((stats) => [
        stats.worker,
        stats.queues.map((queue) => `${queue.queue}(${queue.pool}×${queue.concurrency})`).join(' '),
        stats.active,
        stats.processed,
        duration(stats.uptimeMs),
      ]),
    );
    context.out.line(`${workers.length} worker(s) online`);
  });
  return exitOf(replies);
}

const INSPECTED = ['active', 'reserved', 'scheduled', 'registered', 'stats'] as const;

async function inspect(context: CommandContext, what: string, flags: ControlFlags) {
  if (!(INSPECTED as readonly string[]).includes(what)) {
    throw new CliError(ExitCode.USAGE, `inspect what? one of ${INSPECTED.join(', ')} (got "${what}")`);
  }
  const replies = await callWorkers<unknown>(context, flags, what);
  const values = valuesOf(context, replies);
  context.out.result(replies, () => {
    if (what === 'registered')
      printRegistered(context, values as { worker: string; value: RegisteredTaskInfo[] }[]);
    else if (what === 'stats')
      for (const { worker, value } of values) printStats(context, worker, value as WorkerStats);
    else printHeld(context, values as { worker: string; value: HeldTaskInfo[] }[]);
  });
  return exitOf(replies);
}

function printHeld(context: CommandContext, values: { worker: string; value: HeldTaskInfo[] }[]): void {
  const rows = values.flatMap(({ worker, value }) =>
    value.map((task) => [
      worker,
      task.id,
      task.task,
      task.queue,
      task.retries,
      time(task.startedAt ?? task.eta ?? task.receivedAt),
    ]),
  );
  context.out.table(['WORKER', 'ID', 'TASK', 'QUEUE', 'RETRIES', 'SINCE'], rows);
  context.out.line(`${rows.length} task(s)`);
}

function printRegistered(
  context: CommandContext,
  values: { worker: string; value: RegisteredTaskInfo[] }[],
): void {
  context.out.table(
    ['WORKER', 'TASK', 'QUEUE', 'RETRIES', 'RATE LIMIT', 'TIME LIMIT'],
    values.flatMap(({ worker, value }) =>
      value.map((task) => [worker, task.name, task.queue, task.retries, task.rateLimit, task.timeLimit]),
    ),
  );
}

function printStats(context: CommandContext, worker: string, stats: WorkerStats): void {
  context.out.line(worker);
  context.out.fields([
    ['  pid', stats.pid],
    ['  uptime', duration(stats.uptimeMs)],
    ['  processed', stats.processed],
    ['  active', stats.active],
    ['  load', stats.load.map((load) => load.toFixed(2)).join(' ')],
    ['  memory', `${Math.round(stats.memory.rss / 1_048_576)} MB rss`],
    ['  queues', stats.queues.map((queue) => `${queue.queue}(${queue.pool}×${queue.concurrency})`).join(' ')],
  ]);
}

function time(at: number | undefined): string | undefined {
  return at === undefined ? undefined : new Date(at).toISOString();
}

function duration(ms: number): string {
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3_600)}h${Math.floor((seconds % 3_600) / 60)}m`;
}
