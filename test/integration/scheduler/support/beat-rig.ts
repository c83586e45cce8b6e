import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ResultBackend } from '../../../../lib/backends/result-backend.interface.js';
import type { ScheduleStore } from '../../../../lib/backends/schedule-store.interface.js';
import type { Broker, Consumer } from '../../../../lib/brokers/broker.interface.js';
import { createBroker } from '../../../../lib/brokers/create-broker.js';
import { CELERIAC_BACKEND } from '../../../../lib/celeriac.constants.js';
import { CeleriacModule, Scheduler } from '../../../../lib/index.js';
import { AMQP_URL, deleteByPrefix } from '../../amqp/support/rabbit.js';
import { ChildWorker } from '../../redis/support/child-process.js';
import { deleteKeys, inspector } from '../../redis/support/redis-env.js';
import { compiledEntry } from '../../../fixtures/pools/compiled-fixtures.js';
import { TickTasks } from '../../../fixtures/scheduler/tick-tasks.js';

/** Where a beat test runs: a broker, and the Redis that keeps results and schedules. */
export interface BeatDeployment {
  name: string;
  broker: string;
  redis: string;
}

/** One task that reached the ticks queue: which schedule and tick its id names. */
export interface ReceivedTick {
  scheduleId: string;
  at: number;
  taskId: string;
  receivedAt: number;
}

/** Every task id received on the ticks queue, and waiters for particular ones. */
export class TickLog {
  readonly received: ReceivedTick[] = [];
  readonly unexpected: string[] = [];
  private readonly waiters: { match: (r: ReceivedTick) => boolean; resolve: (r: ReceivedTick) => void }[] =
    [];

  record(taskId: string): void {
    const match = /^schedule:(.+)@(\d{4}-\d\d-\d\dT[\d:.]+Z)$/.exec(taskId);
    if (!match) return void this.unexpected.push(taskId);
    const entry = { scheduleId: match[1], at: Date.parse(match[2]), taskId, receivedAt: Date.now() };
    this.received.push(entry);
    for (const waiter of this.waiters.filter((w) => w.match(entry))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  }

  /** Tick times of one schedule, in the order they arrived. */
  ticks(scheduleId: string): number[] {
    return this.received.filter((r) => r.scheduleId === scheduleId).map((r) => r.at);
  }

  /** The first tick (already received or coming) that matches; rejects after `ms`. */
  next(what: string, match: (r: ReceivedTick) => boolean, ms: number): Promise<ReceivedTick> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  /** Resolves once `scheduleId` fired a tick at or after `at`. */
  tickAtOrAfter(scheduleId: string, at: number, ms: number): Promise<ReceivedTick> {
    return this.next(
      `tick of ${scheduleId} at or after ${new Date(at).toISOString()}`,
      (r) => r.scheduleId === scheduleId && r.at >= at,
      ms,
    );
  }
}

/**
 * One deployment of the beat tests under a fresh prefix: an API node in this process (a producer
 * only, running no beat) whose `Scheduler` the test drives, a consumer in this process that records
 * every task reaching the `ticks` queue, and beat processes — real `node` processes running
 * `CeleriacWorker({ beat: true })`, each killed by its own pid.
 */
export class BeatRig {
  readonly prefix = `celeriac-beat-${randomUUID()}`;
  readonly log = new TickLog();
  readonly nodes: ChildWorker[] = [];
  private broker?: Broker;
  private consumer?: Consumer;
  private api?: INestApplicationContext;

  private constructor(readonly deployment: BeatDeployment) {}

  static async start(deployment: BeatDeployment): Promise<BeatRig> {
    const rig = new BeatRig(deployment);
    try {
      await rig.open();
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  get scheduler(): Scheduler {
    return this.api!.get(Scheduler);
  }

  /** The schedule store, as every node sees it. */
  get store(): ScheduleStore {
    return this.api!.get<ResultBackend>(CELERIAC_BACKEND).schedules!;
  }

  private get onRedis(): boolean {
    return this.deployment.broker.startsWith('redis');
  }

  /** Starts a beat process (compiled, so it boots quickly) and resolves once its beat runs. */
  async startBeatNode(bootMs: number): Promise<ChildWorker> {
    const entry = await compiledEntry('test/fixtures/scheduler/beat-node.main.ts');
    const child = ChildWorker.startCompiled(entry, {
      BROKER_URL: this.deployment.broker,
      REDIS_URL: this.deployment.redis,
      PREFIX: this.prefix,
    });
    this.nodes.push(child);
    await child.next((event) => event.event === 'beating', bootMs);
    return child;
  }

  /** Whether `node` (a claimer's name, host:pid:suffix) is one of the beat processes. */
  isBeatProcess(node: string | undefined): boolean {
    return this.nodes.some((child) => node?.includes(`:${child.pid}:`) === true);
  }

  /** Stops beat processes with SIGTERM: each finishes what it claimed before it exits. */
  static async stopGracefully(nodes: ChildWorker[]): Promise<void> {
    await Promise.all(
      nodes.map((node) => {
        process.kill(node.pid, 'SIGTERM');
        return node.exit();
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await this.consumer?.cancel().catch(() => undefined);
    await this.broker?.close().catch(() => undefined);
    await this.api?.close();
    const redis = inspector(this.deployment.redis);
    await deleteKeys(redis, this.prefix);
    redis.disconnect();
    // A RabbitMQ node of the test's own is thrown away whole; the shared one is cleaned.
    if (this.deployment.broker === AMQP_URL) await deleteByPrefix(this.prefix);
  }

  private async open(): Promise<void> {
    const { broker: url, redis } = this.deployment;
    this.broker = await createBroker({
      url,
      prefix: this.prefix,
      extra: this.onRedis ? { checkConfig: false } : {},
    });
    await this.broker.connect();
    this.consumer = await this.broker.consume(
      'ticks',
      (delivery) => {
        this.log.record((JSON.parse(delivery.body) as { id: string }).id);
        void delivery.ack();
      },
      { prefetch: 50 },
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker: url,
          backend: redis,
          prefix: this.prefix,
          producerOnly: true,
          queues: { ticks: {} },
          logger: false,
          brokerOptions: this.onRedis ? { checkConfig: false } : {},
          backendOptions: { checkConfig: false },
        }),
      ],
      providers: [TickTasks],
    }).compile();
    this.api = await moduleRef.init();
  }
}

/** Ticks from the first to the last, each exactly `period` after the one before. */
export function consecutive(ticks: number[], period: number): number[] {
  const sorted = [...ticks].sort((a, b) => a - b);
  const expected: number[] = [];
  for (let at = sorted[0]; at <= sorted[sorted.length - 1]; at += period) expected.push(at);
  return expected;
}

export const iso = (at: number): string => new Date(at).toISOString();
