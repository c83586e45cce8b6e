import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { register, Registry } from 'prom-client';
import request from 'supertest';
import {
  CeleriacMetricsModule,
  CeleriacModule,
  CeleriacRuntime,
  CeleriacWorker,
  currentTask,
  Task,
  TaskClient,
  type TaskEvent,
} from '../../../lib/index.js';
import { gate } from '../../support/worker-app.js';
import { eventually } from '../redis/support/wait.js';

const held = gate();

@Injectable()
class MetricTasks {
  @Task({ queue: 'metrics' })
  add(a: number, b: number): number {
    return a + b;
  }

  /** Fails its first attempt, succeeds on the retry. */
  @Task({ queue: 'metrics', retries: 1, backoff: { type: 'fixed', delay: 10 } })
  flaky(): string {
    if (currentTask().retries === 0) throw new Error('first attempt fails');
    return 'second time lucky';
  }

  @Task({ queue: 'metrics' })
  broken(): never {
    throw new Error('always fails');
  }

  @Task({ queue: 'metrics' })
  async held(): Promise<string> {
    await held.promise;
    return 'released';
  }
}

export interface MetricsCaseOptions {
  broker: string;
  backend: string;
  /** Whether the broker counts delivered, unsettled messages (RabbitMQ does not over AMQP). */
  reportsInFlight: boolean;
  /** Deletes what the run left on the servers. */
  cleanup(prefix: string): Promise<void>;
}

/** The value of one sample in Prometheus' text format, or undefined when the scrape has none. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/**
 * A Nest HTTP app with an embedded worker and `CeleriacMetricsModule` on a real broker: a known
 * workload (successes, a retry, a final failure, an unknown task, a countdown, a running task),
 * then `GET /metrics` is scraped and each count asserted.
 */
export function describeMetricsCases(title: string, options: MetricsCaseOptions): void {
  describe(title, () => {
    const prefix = `metrics-${randomUUID().slice(0, 8)}`;
    const registry = new Registry();
    let app: INestApplication;
    let client: TaskClient;
    let worker: CeleriacWorker;
    const events: TaskEvent[] = [];
    const scrape = async () => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    const task = (name: string, state: string) => ({ task: `MetricTasks.${name}`, queue: 'metrics', state });

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CeleriacModule.forRoot({
            broker: options.broker,
            backend: options.backend,
            prefix,
            queues: { metrics: { pool: 'async', concurrency: 10 } },
          }),
          CeleriacMetricsModule.forRoot({ registry }),
        ],
        providers: [MetricTasks],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      worker = new CeleriacWorker({ shutdownGraceMs: 2_000 });
      app.connectMicroservice({ strategy: worker });
      await app.startAllMicroservices();
      await app.init();
      client = app.get(TaskClient);
      app.get(CeleriacRuntime).events.on('task', (event) => events.push(event));
    }, 60_000);

    afterAll(async () => {
      held.open();
      await app?.close();
      await options.cleanup(prefix);
    });

    it('counts sends, runs, retries, failures, dead letters and run times after a known workload', async () => {
      for (const [a, b] of [
        [1, 2],
        [3, 4],
        [5, 6],
      ]) {
        await expect((await client.send(MetricTasks, 'add', [a, b])).wait({ timeout: 20_000 })).resolves.toBe(
          a + b,
        );
      }
      await expect((await client.send(MetricTasks, 'flaky', [])).wait({ timeout: 20_000 })).resolves.toBe(
        'second time lucky',
      );
      await expect((await client.send(MetricTasks, 'broken', [])).wait({ timeout: 20_000 })).rejects.toThrow(
        'always fails',
      );
      const unknown = await client.sendByName('Gone.task', [], { queue: 'metrics' });
      await unknown.waitForRecord({ timeout: 20_000 });
      await eventually('the dead letter to be settled', () => (worker.activeCount === 0 ? true : undefined));

      const text = await scrape();
      expect(text).toContain('# TYPE celeriac_tasks_total counter');
      expect(sample(text, 'celeriac_tasks_total', task('add', 'sent'))).toBe(3);
      expect(sample(text, 'celeriac_tasks_total', task('add', 'started'))).toBe(3);
      expect(sample(text, 'celeriac_tasks_total', task('add', 'succeeded'))).toBe(3);
      expect(sample(text, 'celeriac_tasks_total', task('flaky', 'retried'))).toBe(1);
      expect(sample(text, 'celeriac_tasks_total', task('flaky', 'succeeded'))).toBe(1);
      expect(sample(text, 'celeriac_tasks_total', task('broken', 'failed'))).toBe(1);
      expect(sample(text, 'celeriac_tasks_total', { task: 'Gone.task', state: 'rejected' })).toBe(1);
      expect(sample(text, 'celeriac_retries_total', { task: 'MetricTasks.flaky', queue: 'metrics' })).toBe(1);
      expect(sample(text, 'celeriac_dead_letters_total', { queue: 'metrics' })).toBe(1);
      const addRuns = { task: 'MetricTasks.add', queue: 'metrics', state: 'succeeded' };
      expect(sample(text, 'celeriac_task_duration_seconds_count', addRuns)).toBe(3);
      expect(sample(text, 'celeriac_task_duration_seconds_bucket', { ...addRuns, le: '+Inf' })).toBe(3);
      const addWaits = { task: 'MetricTasks.add', queue: 'metrics' };
      expect(sample(text, 'celeriac_task_wait_seconds_count', addWaits)).toBe(3);
      expect(sample(text, 'celeriac_task_wait_seconds_sum', addWaits)).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'celeriac_queue_depth', { queue: 'metrics', kind: 'dead_letter' })).toBe(1);
      expect(sample(text, 'celeriac_queue_depth', { queue: 'metrics', kind: 'ready' })).toBe(0);
      expect(sample(text, 'celeriac_broker_up')).toBe(1);
      // No series is labelled with a task id.
      expect(text).not.toContain(unknown.id);
    });

    it('reports a running task as active and a countdown as delayed, then neither', async () => {
      const later = await client.send(MetricTasks, 'add', [0, 0], { countdown: 60_000 });
      const running = await client.send(MetricTasks, 'held', []);
      await eventually('the held task to start', () =>
        events.some((event) => event.id === running.id && event.type === 'task-started') ? true : undefined,
      );
      const during = await scrape();
      expect(sample(during, 'celeriac_tasks_active', { task: 'MetricTasks.held', queue: 'metrics' })).toBe(1);
      expect(sample(during, 'celeriac_queue_depth', { queue: 'metrics', kind: 'delayed' })).toBe(1);
      const inFlight = { queue: 'metrics', kind: 'in_flight' };
      expect(sample(during, 'celeriac_queue_depth', inFlight)).toBe(options.reportsInFlight ? 1 : undefined);
      held.open();
      await expect(running.wait({ timeout: 20_000 })).resolves.toBe('released');
      await later.revoke();
      const after = await scrape();
      expect(sample(after, 'celeriac_tasks_active', { task: 'MetricTasks.held', queue: 'metrics' })).toBe(0);
      if (options.reportsInFlight) {
        await eventually('the held task to be acknowledged', async () =>
          sample(await scrape(), 'celeriac_queue_depth', inFlight) === 0 ? true : undefined,
        );
      }
    });

    it('counts the worker online from its heartbeats', async () => {
      await eventually('the worker to be heard', async () =>
        sample(await scrape(), 'celeriac_workers_online') === 1 ? true : undefined,
      );
    });

    it('lives in the registry it was given, not in the global one', async () => {
      expect(registry.getSingleMetric('celeriac_tasks_total')).toBeDefined();
      expect(register.getSingleMetric('celeriac_tasks_total')).toBeUndefined();
      expect((await request(app.getHttpServer()).get('/metrics')).headers['content-type']).toMatch(
        /^text\/plain; version=0\.0\.4/,
      );
    });
  });
}
