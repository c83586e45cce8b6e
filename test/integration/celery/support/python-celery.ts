import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/celery');

/** Debian's interpreter, where python3-celery is installed (a PATH `python3` may be another one). */
export const PYTHON =
  process.env.CELERIAC_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export interface CelerySettings {
  broker: string;
  backend: string;
  /** The queue a Celery worker of this app consumes (its `task_default_queue`). */
  queue: string;
  /** Celery's `broker_transport_options` (kombu's Redis `global_keyprefix`, `visibility_timeout`, …). */
  transportOptions?: Record<string, unknown>;
}

function environment(settings: CelerySettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CELERY_BROKER: settings.broker,
    CELERY_BACKEND: settings.backend,
    CELERY_QUEUE: settings.queue,
    CELERY_TRANSPORT_OPTIONS: JSON.stringify(settings.transportOptions ?? {}),
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Stops a child we started, by its pid: SIGTERM (Celery's warm shutdown), SIGKILL if it lingers. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A real `celery worker` process (solo pool, one task at a time), started once per spec. */
export class CeleryWorkerProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(settings: CelerySettings, timeoutMs = 60_000): Promise<CeleryWorkerProcess> {
    const args = ['-m', 'celery', '-A', 'interop_app', 'worker', '-Q', settings.queue, '-P', 'solo'];
    args.push('--without-gossip', '--without-mingle', '--without-heartbeat', '-l', 'INFO');
    args.push('-n', `interop-${process.pid}-${settings.queue}@localhost`);
    const child = spawn(PYTHON, args, {
      cwd: FIXTURES,
      env: environment(settings),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new CeleryWorkerProcess(child);
    await worker.waitFor(/ready\./, timeoutMs);
    return worker;
  }

  /** Resolves once the worker's log shows `pattern` (it logs "celery@… ready." when consuming). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.output)) return done(resolve);
        if (this.child.exitCode !== null)
          done(() => reject(new Error(`celery worker exited:\n${this.output}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`celery worker not ready:\n${this.output}`))),
        timeoutMs,
      );
      const done = (then: () => void) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', check);
        then();
      };
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.on('exit', check);
      check();
    });
  }

  get log(): string {
    return this.output;
  }

  stop(): Promise<void> {
    return stop(this.child);
  }
}

export type CeleryAnswer = {
  id?: string;
  ok?: boolean;
  result?: unknown;
  type?: string;
  message?: string;
  module?: string;
  error?: string;
};

/** A Python process that sends tasks with `app.send_task` and reads results with `AsyncResult.get()`. */
export class CeleryProducerProcess {
  private seq = 0;
  private readonly waiting = new Map<number, (answer: CeleryAnswer) => void>();
  private errors = '';

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.errors = (this.errors + chunk.toString()).slice(-10_000)),
    );
  }

  static async start(settings: CelerySettings): Promise<CeleryProducerProcess> {
    const child = spawn(PYTHON, ['producer.py'], {
      cwd: FIXTURES,
      env: environment(settings),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const producer = new CeleryProducerProcess(child);
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error(`celery producer exited:\n${producer.errors}`)));
      lines.once('line', () => resolve());
    });
    await ready;
    lines.on('line', (line) => {
      const answer = JSON.parse(line) as CeleryAnswer & { seq: number };
      producer.waiting.get(answer.seq)?.(answer);
      producer.waiting.delete(answer.seq);
    });
    return producer;
  }

  /** `app.send_task(task, args, kwargs, queue=…, countdown=…, eta=…, serializer=…, link=…)`; resolves with the task id. */
  async send(command: {
    task: string;
    queue: string;
    args?: unknown[];
    kwargs?: Record<string, unknown>;
    countdown?: number;
    eta_ms?: number;
    /** A serializer other than the app's JSON (`pickle`, `msgpack`): what Celeriac must refuse. */
    serializer?: string;
    /** A callback (`link=signature(task, args)`): a workflow, which does not cross the languages. */
    link?: { task: string; args?: unknown[] };
  }): Promise<string> {
    const answer = await this.call({ op: 'send', ...command });
    if (!answer.id) throw new Error(`send_task failed: ${answer.error ?? JSON.stringify(answer)}`);
    return answer.id;
  }

  /** `AsyncResult(id).get(timeout)`: the result, or the error Celery rebuilt from the record. */
  get(id: string, timeout = 30): Promise<CeleryAnswer> {
    return this.call({ op: 'get', id, timeout });
  }

  /** kombu's visibility-timeout restore (`QoS.restore_visible(num)`), run once as a Celery worker runs it. */
  async restoreVisible(num: number): Promise<void> {
    const answer = await this.call({ op: 'restore', num });
    if (!answer.ok) throw new Error(`restore_visible failed: ${answer.error ?? JSON.stringify(answer)}`);
  }

  private call(command: Record<string, unknown>): Promise<CeleryAnswer> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.stdin!.write(`${JSON.stringify({ ...command, seq })}\n`);
    });
  }

  async stop(): Promise<void> {
    this.child.stdin?.end();
    await stop(this.child);
  }
}
