import 'reflect-metadata';
import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, type ConsumeMessage } from 'amqplib';
import BeeQueue from 'bee-queue';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { CeleriacRuntime } from '../../../lib/celeriac.runtime.js';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacWorker,
  Task,
  TaskClient,
} from '../../../lib/index.js';
import type { SubjectConfig } from './task-bench.protocol.js';

/** The producing side of a subject: what a round calls per task. */
export interface ProducerSide {
  send(n: number): Promise<void>;
  sendAndWait(n: number): Promise<void>;
  /** Sends `count` tasks as fast as the subject can: its bulk call where it has one. */
  fill(count: number): Promise<void>;
  close(): Promise<void>;
}

/** The working side: booted and connected, but consuming only once started. */
export interface WorkerSide {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Sends per bulk call when filling a queue. */
const BULK = 1_000;

/** The no-op task: the framework's cost with nothing of the task's own. */
@Injectable()
class BenchTasks {
  @Task({ queue: 'work' })
  noop(n: number): number {
    return n;
  }
}

@Module({})
class BenchModule {
  static with(options: CeleriacModuleOptions): DynamicModule {
    return { module: BenchModule, imports: [CeleriacModule.forRoot(options)], providers: [BenchTasks] };
  }
}

function celeriacOptions(config: SubjectConfig): CeleriacModuleOptions {
  return {
    broker: config.subject === 'celeriac-amqp' ? config.amqpUrl : config.redisUrl,
    backend: config.redisUrl,
    prefix: config.namespace,
    queues: { work: { pool: 'async', concurrency: config.concurrency } },
    events: config.subject === 'celeriac-events',
  };
}

async function celeriacProducer(config: SubjectConfig): Promise<ProducerSide> {
  const app = await NestFactory.createApplicationContext(
    BenchModule.with({ ...celeriacOptions(config), producerOnly: true }),
    { logger: false },
  );
  const client = app.get(TaskClient);
  const options = config.mode === 'ignore' ? { ignoreResult: true } : {};
  const send = async (n: number): Promise<void> => void (await client.send(BenchTasks, 'noop', [n], options));
  return {
    send,
    sendAndWait: async (n) => void (await (await client.send(BenchTasks, 'noop', [n])).wait()),
    fill: async (count) => {
      for (let i = 0; i < count; i += BULK) {
        const size = Math.min(BULK, count - i);
        await client.sendMany(
          BenchTasks,
          'noop',
          Array.from({ length: size }, (_, k) => [i + k] as [number]),
        );
      }
    },
    close: () => app.close(),
  };
}

async function celeriacWorker(config: SubjectConfig, completed: () => void): Promise<WorkerSide> {
  const app = await NestFactory.createMicroservice(BenchModule.with(celeriacOptions(config)), {
    strategy: new CeleriacWorker(),
    logger: false,
  });
  await app.init();
  app.get(CeleriacRuntime).events.on('task', (event) => event.type === 'task-succeeded' && completed());
  return { start: () => app.listen(), close: () => app.close() };
}

function bullConnection(config: SubjectConfig): { host: string; port: number; maxRetriesPerRequest: null } {
  const url = new URL(config.redisUrl);
  return { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
}

async function bullProducer(config: SubjectConfig): Promise<ProducerSide> {
  const connection = bullConnection(config);
  const queue = new Queue(config.namespace, { connection });
  const waits = config.mode === 'wait' || config.mode === 'latency';
  const events = waits ? new QueueEvents(config.namespace, { connection }) : undefined;
  events?.setMaxListeners(config.outstanding * 2 + 10);
  await Promise.all([queue.waitUntilReady(), events?.waitUntilReady()]);
  const options = config.mode === 'ignore' ? { removeOnComplete: true } : undefined;
  return {
    send: async (n) => void (await queue.add('noop', n, options)),
    sendAndWait: async (n) => void (await (await queue.add('noop', n)).waitUntilFinished(events!)),
    fill: async (count) => {
      for (let i = 0; i < count; i += BULK) {
        const size = Math.min(BULK, count - i);
        await queue.addBulk(Array.from({ length: size }, (_, k) => ({ name: 'noop', data: i + k })));
      }
    },
    close: async () => {
      await events?.close();
      await queue.close();
    },
  };
}

async function bullWorker(config: SubjectConfig, completed: () => void): Promise<WorkerSide> {
  const worker = new Worker(config.namespace, (job) => Promise.resolve(job.data as number), {
    connection: bullConnection(config),
    concurrency: config.concurrency,
    autorun: false,
  });
  worker.on('completed', completed);
  await worker.waitUntilReady();
  return {
    start: () => {
      void worker.run();
      return Promise.resolve();
    },
    close: () => worker.close(),
  };
}

function beeSettings(config: SubjectConfig): BeeQueue.QueueSettings {
  const url = new URL(config.redisUrl);
  return { redis: { host: url.hostname, port: Number(url.port) }, activateDelayedJobs: false };
}

async function beeProducer(config: SubjectConfig): Promise<ProducerSide> {
  const waits = config.mode === 'wait' || config.mode === 'latency';
  const queue = new BeeQueue<number>(config.namespace, {
    ...beeSettings(config),
    isWorker: false,
    getEvents: waits,
    sendEvents: false,
    storeJobs: waits,
  });
  await queue.ready();
  return {
    send: async (n) => void (await queue.createJob(n).save()),
    sendAndWait: (n) =>
      new Promise<void>((resolve, reject) => {
        const job = queue.createJob(n);
        job.on('succeeded', () => resolve());
        job.on('failed', reject);
        job.save().catch(reject);
      }),
    fill: async (count) => {
      for (let i = 0; i < count; i += BULK) {
        const size = Math.min(BULK, count - i);
        await queue.saveAll(Array.from({ length: size }, (_, k) => queue.createJob(i + k)));
      }
    },
    close: () => queue.close(),
  };
}

async function beeWorker(config: SubjectConfig, completed: () => void): Promise<WorkerSide> {
  const queue = new BeeQueue<number>(config.namespace, {
    ...beeSettings(config),
    isWorker: true,
    getEvents: false,
    sendEvents: config.mode === 'wait' || config.mode === 'latency',
    removeOnSuccess: config.mode === 'ignore',
  });
  queue.on('succeeded', completed);
  await queue.ready();
  return {
    start: () => {
      queue.process(config.concurrency, (job) => Promise.resolve(job.data));
      return Promise.resolve();
    },
    close: () => queue.close(),
  };
}

/** amqplib alone, as the RabbitMQ broker bench sets it up: durable queue, persistent, confirms, manual acks. */
async function rawProducer(config: SubjectConfig): Promise<ProducerSide> {
  const connection = await connect(config.amqpUrl, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(config.namespace, { durable: true });
  const send = (n: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ n }));
      channel.sendToQueue(config.namespace, body, { persistent: true }, (error) =>
        error ? reject(error as Error) : resolve(),
      );
    });
  return {
    send,
    sendAndWait: () => Promise.reject(new Error('raw amqplib has no results to wait for')),
    fill: (count) => lanes(count, 1_000, send),
    close: async () => {
      await channel.deleteQueue(config.namespace);
      await connection.close();
    },
  };
}

async function rawWorker(config: SubjectConfig, completed: () => void): Promise<WorkerSide> {
  const connection = await connect(config.amqpUrl, { noDelay: true });
  const channel = await connection.createChannel();
  await channel.assertQueue(config.namespace, { durable: true });
  await channel.prefetch(config.concurrency);
  return {
    start: async () => {
      await channel.consume(config.namespace, (message: ConsumeMessage | null) => {
        if (!message) return;
        channel.ack(message);
        completed();
      });
    },
    close: () => connection.close(),
  };
}

export function createProducer(config: SubjectConfig): Promise<ProducerSide> {
  switch (config.subject) {
    case 'celeriac':
    case 'celeriac-events':
    case 'celeriac-amqp':
      return celeriacProducer(config);
    case 'bullmq':
      return bullProducer(config);
    case 'bee':
      return beeProducer(config);
    case 'raw-amqp':
      return rawProducer(config);
  }
}

export function createWorker(config: SubjectConfig, completed: () => void): Promise<WorkerSide> {
  switch (config.subject) {
    case 'celeriac':
    case 'celeriac-events':
    case 'celeriac-amqp':
      return celeriacWorker(config, completed);
    case 'bullmq':
      return bullWorker(config, completed);
    case 'bee':
      return beeWorker(config, completed);
    case 'raw-amqp':
      return rawWorker(config, completed);
  }
}

/** Runs `one(i)` for i in 0..count-1 with `width` calls in flight. */
export async function lanes(count: number, width: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}
