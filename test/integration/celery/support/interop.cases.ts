import { randomUUID } from 'node:crypto';
import { type DeadLetter, TaskFailedError, TaskState } from '../../../../lib/index.js';
import { startWorkerApp, type WorkerApp } from '../../../support/worker-app.js';
import { celeriac, jsonOf } from '../../cli/support/cli-rig.js';
import { InteropTasks, LEGACY, PYTHON_QUEUE, REPLAY_QUEUE, runs } from './interop-tasks.js';
import { CeleryProducerProcess, CeleryWorkerProcess } from './python-celery.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The running apps of a spec, for cases a broker adds of its own. */
export interface InteropApps {
  nest: WorkerApp;
  producer: CeleryProducerProcess;
}

/** Broker settings both sides must agree on (kombu's Redis key prefix and visibility timeout). */
export interface InteropBrokerSettings {
  /** Celeriac's `brokerOptions`. */
  brokerOptions?: Record<string, unknown>;
  /** The Celery app's `broker_transport_options`. */
  transportOptions?: Record<string, unknown>;
  /** Arguments the `celeriac` binary needs for this broker's Celery queues (kombu's key prefix). */
  cliArgs?: string[];
  /** Cases of this broker only, run with the same apps (read them when a case runs). */
  moreCases?: (apps: () => InteropApps) => void;
}

/**
 * Both directions between a real Python Celery app and a Celeriac app on one broker: Celery's
 * `send_task` to a Celeriac worker, Celeriac's `sendByName` to a Celery worker, results through a
 * Redis backend in Celery's record format. One Celery worker and one Celery producer per spec.
 */
export function describeCeleryInterop(
  name: string,
  broker: string,
  celeryBroker: string,
  { brokerOptions, transportOptions, cliArgs = [], moreCases }: InteropBrokerSettings = {},
): void {
  describe(`Celery interoperability on ${name}`, () => {
    let nest: WorkerApp;
    let celeryWorker: CeleryWorkerProcess;
    let producer: CeleryProducerProcess;

    beforeAll(async () => {
      const settings = { broker: celeryBroker, backend: REDIS, queue: PYTHON_QUEUE, transportOptions };
      [celeryWorker, producer, nest] = await Promise.all([
        CeleryWorkerProcess.start(settings),
        CeleryProducerProcess.start(settings),
        startWorkerApp(
          [InteropTasks],
          {
            broker,
            brokerOptions,
            backend: REDIS,
            backendOptions: { format: 'celery' },
            queues: {
              [LEGACY]: { pool: 'async', protocol: 'celery' },
              [PYTHON_QUEUE]: { protocol: 'celery' },
              // Not consumed here: its size is read in Celery's layout.
              [REPLAY_QUEUE]: { protocol: 'celery' },
            },
          },
          { queues: [LEGACY] },
        ),
      ]);
    }, 90_000);

    afterAll(async () => {
      await Promise.allSettled([nest?.close(), celeryWorker?.stop(), producer?.stop()]);
    }, 60_000);

    it('Celery send_task → Celeriac worker → AsyncResult.get() returns the result', async () => {
      const id = await producer.send({ task: 'js.add', queue: LEGACY, args: [2, 3] });
      expect(await producer.get(id)).toEqual(expect.objectContaining({ ok: true, result: 5 }));
      const named = await producer.send({ task: 'js.add', queue: LEGACY, kwargs: { x: 4, y: 5 } });
      expect(await producer.get(named)).toEqual(expect.objectContaining({ ok: true, result: 9 }));
      const options = await producer.send({
        task: 'js.render',
        queue: LEGACY,
        args: ['r1'],
        kwargs: { format: 'pdf' },
      });
      expect(await producer.get(options)).toEqual(expect.objectContaining({ ok: true, result: 'r1.pdf' }));
    });

    it('Celeriac sendByName → Celery worker → TaskHandle.wait() returns the result', async () => {
      const handle = await nest.client.sendByName<number>('py.add', [2, 3], { queue: PYTHON_QUEUE });
      expect(await handle.wait({ timeout: 30_000 })).toBe(5);
      const named = await nest.client.sendByName<number>('py.add', [], {
        queue: PYTHON_QUEUE,
        kwargs: { x: 1, y: 2 },
      });
      expect(await named.wait({ timeout: 30_000 })).toBe(3);
    });

    it("a failing task's type and message reach the other side, in both directions", async () => {
      const id = await producer.send({ task: 'js.fail', queue: LEGACY, args: ['out of range'] });
      expect(await producer.get(id)).toEqual(
        expect.objectContaining({ ok: false, type: 'RangeError', message: 'out of range' }),
      );

      const handle = await nest.client.sendByName('py.fail', ['bad value'], { queue: PYTHON_QUEUE });
      const error = await handle.wait({ timeout: 30_000 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).error).toMatchObject({ name: 'ValueError', message: 'bad value' });
      expect((error as TaskFailedError).error?.stack).toMatch(/ValueError: bad value/);
    });

    it('retries with a countdown are honoured both ways', async () => {
      const id = await producer.send({ task: 'js.flaky', queue: LEGACY });
      const answer = await producer.get(id);
      expect(answer.ok).toBe(true);
      const [first, second] = answer.result as number[];
      expect(second - first).toBeGreaterThanOrEqual(1_000 - 25);

      const handle = await nest.client.sendByName<number[]>('py.flaky', [randomUUID(), 1], {
        queue: PYTHON_QUEUE,
      });
      const [pyFirst, pySecond] = await handle.wait({ timeout: 30_000 });
      expect(pySecond - pyFirst).toBeGreaterThanOrEqual(1_000 - 25);
    });

    it('eta and countdown are honoured both ways', async () => {
      // The four at once: each waits its 1.5 s beside the others.
      const celeryEta = async () => {
        const eta = Date.now() + 1_500;
        const id = await producer.send({ task: 'js.add', queue: LEGACY, args: [1, 1], eta_ms: eta });
        expect(await producer.get(id)).toEqual(expect.objectContaining({ ok: true, result: 2 }));
        expect(runs.get(id)![0]).toBeGreaterThanOrEqual(eta - 25);
      };
      const celeryCountdown = async () => {
        const sent = Date.now();
        const id = await producer.send({ task: 'js.add', queue: LEGACY, args: [2, 2], countdown: 1.5 });
        expect(await producer.get(id)).toEqual(expect.objectContaining({ ok: true, result: 4 }));
        expect(runs.get(id)![0]).toBeGreaterThanOrEqual(sent + 1_500 - 25);
      };
      const celeriacCountdown = async () => {
        const sent = Date.now();
        const handle = await nest.client.sendByName<number>('py.now', [], {
          queue: PYTHON_QUEUE,
          countdown: 1_500,
        });
        expect(await handle.wait({ timeout: 30_000 })).toBeGreaterThanOrEqual(sent + 1_500 - 25);
      };
      const celeriacEta = async () => {
        const eta = new Date(Date.now() + 1_500);
        const handle = await nest.client.sendByName<number>('py.now', [], { queue: PYTHON_QUEUE, eta });
        expect(await handle.wait({ timeout: 30_000 })).toBeGreaterThanOrEqual(eta.getTime() - 25);
      };
      await Promise.all([celeryEta(), celeryCountdown(), celeriacCountdown(), celeriacEta()]);
    });

    it('refuses workflows on a Celery-mode queue with a clear error', async () => {
      const { Signature } = await import('../../../../lib/canvas/signature.js');
      await expect(
        nest.client.sendByName('py.add', [1, 2], {
          queue: PYTHON_QUEUE,
          link: new Signature('py.add', [3], { queue: PYTHON_QUEUE }),
        }),
      ).rejects.toThrow(/workflows .* do not cross between Celery and Celeriac/);
    });

    it('dead-letters, never runs, what real Celery sends that Celeriac cannot take: a pickle body, a workflow', async () => {
      const pickled = await producer.send({
        task: 'js.add',
        queue: LEGACY,
        args: [1, 2],
        serializer: 'pickle',
      });
      const linked = await producer.send({
        task: 'js.add',
        queue: LEGACY,
        args: [3, 4],
        link: { task: 'js.add', args: [5] },
      });
      const byId = (id: string) => (letter: DeadLetter) => letter.headers?.id === id;
      const pickleLetter = await waitForDeadLetter(nest, byId(pickled));
      expect(pickleLetter.reason).toMatch(
        /content type "application\/x-python-serialize" is not supported \(only application\/json; set task_serializer = 'json'\)/,
      );
      expect(pickleLetter.headers).toMatchObject({ task: 'js.add', id: pickled, lang: 'py' });
      const workflowLetter = await waitForDeadLetter(nest, byId(linked));
      expect(workflowLetter.reason).toMatch(
        /Celery workflow \(callbacks\) on queue "[^"]+": chains, chords and callbacks do not cross between Celery and Celeriac/,
      );
      expect(workflowLetter.headers).toMatchObject({ task: 'js.add', id: linked });
      expect(runs.get(pickled)).toBeUndefined();
      expect(runs.get(linked)).toBeUndefined();
      // An unreadable body has no task to fail; a readable workflow fails visibly for its Python caller.
      expect(await nest.client.handle(pickled).state()).toBe(TaskState.PENDING);
      expect(await producer.get(linked, 10)).toEqual(
        expect.objectContaining({
          ok: false,
          type: 'InvalidEnvelopeError',
          message: workflowLetter.reason,
        }),
      );
    });

    it('dead-letters an undecodable message with its headers, and loses nothing', async () => {
      const { broker: nestBroker } = nest.runtime;
      const id = randomUUID();
      await nestBroker.publish(LEGACY, '{not json', {
        messageId: id,
        headers: { task: 'js.add', id, lang: 'py' },
        properties: { correlationId: id, contentType: 'application/json', contentEncoding: 'utf-8' },
      });
      const handle = nest.client.handle(id);
      const letter = await waitForDeadLetter(nest, id);
      expect(letter.reason).toMatch(/Celery body is not JSON/);
      expect(letter.headers).toMatchObject({ task: 'js.add', id });
      expect(await handle.state()).toBe(TaskState.PENDING);
      expect(await nestBroker.size(LEGACY)).toBe(0);
    });

    it("celeriac dead-letters replay (the binary) puts a Celery message back in Celery's layout, where a worker runs it", async () => {
      const settings = {
        broker,
        brokerOptions,
        backend: REDIS,
        backendOptions: { format: 'celery' as const },
        prefix: nest.prefix,
        queues: {
          [REPLAY_QUEUE]: { pool: 'async' as const, protocol: 'celery' as const },
          // Where InteropTasks are declared; not consumed by these workers.
          [LEGACY]: { protocol: 'celery' as const },
        },
      };
      // A worker deployed before its tasks: it dead-letters the Celery message as an unknown task.
      const stale = await startWorkerApp([], settings, { queues: [REPLAY_QUEUE] });
      let id: string;
      try {
        id = await producer.send({ task: 'js.add', queue: REPLAY_QUEUE, args: [40, 2] });
        const letter = await waitForDeadLetter(
          nest,
          (candidate) => candidate.headers?.id === id,
          REPLAY_QUEUE,
        );
        expect(letter.headers).toMatchObject({ task: 'js.add', id, lang: 'py' });
      } finally {
        await stale.close();
      }

      const replayed = await celeriac([
        ...['--broker', broker, '--backend', REDIS, '--prefix', nest.prefix, '--json'],
        ...['dead-letters', 'replay', REPLAY_QUEUE, ...cliArgs],
      ]);
      expect(replayed.code).toBe(0);
      expect(jsonOf(replayed)).toEqual({ queue: REPLAY_QUEUE, protocol: 'celery', replayed: 1 });
      expect(await nest.runtime.broker.size(REPLAY_QUEUE)).toBe(1);
      expect(await nest.runtime.broker.deadLetters(REPLAY_QUEUE)).toEqual([]);

      // The task's FAILURE (unknown task) was reset, so a worker that knows it runs it now. (Read
      // from the Nest side: the Python producer keeps the FAILURE it was sent when it happened.)
      const handle = nest.client.handle<number>(id);
      expect(await handle.state()).toBe(TaskState.PENDING);
      const deployed = await startWorkerApp([InteropTasks], settings, { queues: [REPLAY_QUEUE] });
      try {
        expect(await handle.wait({ timeout: 30_000 })).toBe(42);
        expect(runs.get(id)).toHaveLength(1);
      } finally {
        await deployed.close();
      }
    }, 90_000);

    moreCases?.(() => ({ nest, producer }));
  });
}

/**
 * The dead letter is written just after the worker's rejection: read until it is there (guarded).
 * `which`: its message id, or a test of the letter.
 */
export async function waitForDeadLetter(
  nest: WorkerApp,
  which: string | ((letter: DeadLetter) => boolean),
  queue = LEGACY,
): Promise<DeadLetter> {
  const matches = typeof which === 'string' ? (letter: DeadLetter) => letter.messageId === which : which;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const letters = await nest.runtime.broker.deadLetters(queue);
    const letter = letters.find(matches);
    if (letter) return letter;
    if (Date.now() > deadline) throw new Error(`no dead letter on "${queue}" such as the test waits for`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
