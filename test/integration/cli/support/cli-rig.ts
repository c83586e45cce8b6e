import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { compiledEntry } from '../../../fixtures/pools/compiled-fixtures.js';
import { startWorkerApp } from '../../../support/worker-app.js';
import { SpawnedProcess } from '../../../support/spawned-process.js';

/** What one run of the `celeriac` binary printed and exited with. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where a cluster under test lives: broker, results and namespace. */
export interface ClusterSettings {
  broker: string;
  backend: string;
  prefix: string;
}

/**
 * Runs the real binary (`lib/cli/main.ts` compiled, as the package's `bin` is) in a process of its
 * own, without a terminal, and collects its output.
 */
export async function celeriac(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const main = await compiledEntry('lib/cli/main.ts');
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    ...process.env,
    NODE_OPTIONS: '',
    JEST_WORKER_ID: undefined,
    ...env,
  })) {
    if (value !== undefined) childEnv[name] = value;
  }
  // The connection settings come from the arguments only, unless a test sets the variables itself.
  for (const name of ['BROKER_URL', 'RESULT_URL', 'CELERIAC_PREFIX'])
    if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, [main, ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

/** The binary's connection arguments for `cluster`. */
export function connectionArgs(cluster: ClusterSettings): string[] {
  return ['--broker', cluster.broker, '--backend', cluster.backend, '--prefix', cluster.prefix];
}

/** Parses a `--json` run's stdout, failing with what the run printed when it is not JSON. */
export function jsonOf<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * Sends `ReportTasks.notify` while only a worker that does not know it consumes `io`: the message
 * is dead-lettered as an unknown task, as after a deploy that reached the API before the workers.
 * Returns its task id. Call before the real workers start.
 */
export async function deadLetterBeforeDeploy(cluster: ClusterSettings, message: string): Promise<string> {
  const stale = await startWorkerApp(
    [],
    { broker: cluster.broker, backend: cluster.backend, prefix: cluster.prefix, queues: { io: {} } },
    { queues: ['io'] },
  );
  try {
    const handle = await stale.client.sendByName('ReportTasks.notify', [message], { queue: 'io' });
    await handle.waitForRecord({ timeout: 30_000 });
    return handle.id;
  } finally {
    // Closing drains the worker: the dead letter that follows the stored FAILURE is written by then.
    await stale.close();
  }
}

/** `count` sample-app worker processes on `queues`, each ready (consuming) when this resolves. */
export async function startWorkers(
  cluster: ClusterSettings,
  count: number,
  queues: string,
): Promise<SpawnedProcess[]> {
  const entry = await compiledEntry('sample-app/src/worker.main.ts');
  const workers = Array.from({ length: count }, () =>
    SpawnedProcess.start([entry], {
      env: {
        BROKER_URL: cluster.broker,
        RESULT_URL: cluster.backend,
        CELERIAC_PREFIX: cluster.prefix,
        WORKER_QUEUES: queues,
      },
    }),
  );
  await Promise.all(workers.map((worker) => worker.waitFor(/consuming /)));
  return workers;
}

export function randomPrefix(kind: string): string {
  return `cli-${kind}-${randomUUID().slice(0, 8)}`;
}

/**
 * One worker process of the control-plane fixture consuming only `cpu` (a `threads` pool), whose
 * `ControlTasks.spin` never yields: only terminating its thread stops it. Ready when this resolves.
 */
export async function startSpinWorker(cluster: ClusterSettings): Promise<SpawnedProcess> {
  const entry = await compiledEntry('test/fixtures/control/control-worker.main.ts');
  const worker = SpawnedProcess.start([entry], {
    env: {
      BROKER_URL: cluster.broker,
      REDIS_URL: cluster.backend,
      PREFIX: cluster.prefix,
      WORKER_QUEUES: 'cpu',
    },
  });
  await worker.waitFor(/"event":"listening"/);
  return worker;
}

/**
 * The binary running until stopped (`events`), its lines read as they come; resolves once it
 * printed its first line (for `events`: subscribed, so no event published later is missed).
 */
export async function startTail(args: string[]): Promise<SpawnedProcess> {
  const main = await compiledEntry('lib/cli/main.ts');
  const tail = SpawnedProcess.start([main, ...args], {
    env: { BROKER_URL: undefined, RESULT_URL: undefined, CELERIAC_PREFIX: undefined },
  });
  await tail.waitFor(/./);
  return tail;
}
