import type { Command } from 'commander';
import { WaitTimeoutError } from '../../errors/wait-timeout.error.js';
import { integerAtLeast, jsonArray, timeValue } from '../cli-arguments.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';
import { printRecord } from '../record-output.js';

interface CallFlags {
  args: unknown[];
  queue: string;
  countdown?: number;
  eta?: number;
  expires?: number;
  priority?: number;
  id?: string;
  wait?: boolean | string;
}

export function registerCall(program: Command, session: CliSession): void {
  program
    .command('call')
    .description('send a task by its registered name')
    .argument('<task>', 'task name, e.g. ReportTasks.build')
    .option('--args <json>', 'arguments as a JSON array', jsonArray, [])
    .option('--queue <queue>', 'queue to publish to', 'default')
    .option('--countdown <ms>', 'run no sooner than this many ms from now', integerAtLeast(0))
    .option('--eta <time>', 'run no sooner than this time (ISO 8601 or epoch ms)', timeValue)
    .option('--expires <ms>', 'revoke instead of run if not started within this many ms', integerAtLeast(1))
    .option('--priority <n>', '0 (lowest) to 9 (highest)', integerAtLeast(0))
    .option('--id <taskId>', 'task id (default: a random UUID)')
    .option('--wait [ms]', 'wait for the outcome (at most ms, when given) and print the record')
    .action(session.action(call));
}

async function call({ connection, out, options }: CommandContext, task: string, flags: CallFlags) {
  const waitMs = typeof flags.wait === 'string' ? integerAtLeast(1)(flags.wait) : undefined;
  const waiting = flags.wait !== undefined;
  if (waiting && !connection.hasBackend) {
    throw new CliError(ExitCode.USAGE, '--wait reads the result: pass --backend redis://… or set RESULT_URL');
  }
  const [broker, backend] = await Promise.all([connection.getBroker(), connection.getBackend(!waiting)]);
  // Loaded here, not at start-up: the client brings in Nest, which --help and usage errors do not need.
  const [{ TaskClient }, { TaskRegistry }, { resolveOptions }] = await Promise.all([
    import('../../client/task.client.js'),
    import('../../discovery/task.registry.js'),
    import('../../resolve-options.js'),
  ]);
  // The CLI has no task table of its own: it sends by name to the queue it is told.
  const settings = resolveOptions({
    broker: connection.brokerUrl,
    prefix: options.prefix,
    queues: { [flags.queue]: { pool: 'async' } },
  });
  const client = new TaskClient(broker, backend, settings, new TaskRegistry());
  const handle = await client.sendByName(task, flags.args, {
    queue: flags.queue,
    countdown: flags.countdown,
    eta: flags.eta,
    expires: flags.expires,
    priority: flags.priority,
    taskId: flags.id,
  });
  if (!waiting) {
    const sent = { id: handle.id, task, queue: flags.queue, state: 'PENDING' };
    out.result(sent, () => out.line(handle.id));
    return ExitCode.OK;
  }
  try {
    return printRecord(out, await handle.waitForRecord({ timeout: waitMs }));
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const state = await handle.state();
    throw new CliError(ExitCode.TIMEOUT, `task ${handle.id} is still ${state} after ${waitMs} ms`);
  }
}
