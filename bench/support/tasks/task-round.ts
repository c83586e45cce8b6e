import { Redis } from 'ioredis';
import { CommandCounter } from '../own-redis.js';
import { countCalls } from '../redis-calls.js';
import { SubjectProcess } from './subject-process.js';
import type { Mode, SubjectConfig, SubjectName } from './task-bench.protocol.js';

/** What one round of one subject measured. */
export interface RoundResult {
  subject: SubjectName;
  mode: Mode;
  tasks: number;
  /** Tasks per second: from `go` until both sides were done (for fill and count: the drain). */
  rate: number;
  producerCpuUs: number;
  workerCpuUs: number;
  samples?: number[];
  /** Fill and count: tasks per second the producer queued (its bulk call where it has one). */
  fillRate?: number;
  /** Fill and count: Redis `used_memory` per queued task, bytes. */
  bytesPerTask?: number;
  /** Count: commands Redis ran per task (including those inside scripts), each side. */
  producerCommands?: number;
  workerCommands?: number;
  /** Count: commands the side's clients sent per task (a round trip each unless pipelined). */
  producerCalls?: number;
  workerCalls?: number;
}

export interface RoundSettings {
  redisUrl: string;
  amqpUrl: string;
  outstanding: number;
  concurrency: number;
}

/**
 * Runs one subject in one mode: a worker process and a producer process on a cleared Redis. For
 * `fill` and `count` the producer fills the queue first (memory and, for count, commands measured),
 * then the worker drains it.
 */
export async function runRound(
  subject: SubjectName,
  mode: Mode,
  tasks: number,
  namespace: string,
  settings: RoundSettings,
): Promise<RoundResult> {
  const admin = new Redis(settings.redisUrl);
  await admin.flushall(); // the bench's own throw-away server, never a shared one
  const base: SubjectConfig = { ...settings, subject, mode, tasks, namespace, role: 'producer' };
  const producer = new SubjectProcess(base);
  const worker = new SubjectProcess({ ...base, role: 'worker' });
  // A subject that stalls fails its round instead of holding up the run.
  let timer: NodeJS.Timeout | undefined;
  const limitMs = 120_000 + tasks * 10;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${limitMs / 1000} s`)), limitMs);
  });
  try {
    return await Promise.race([measureRound(admin, producer, worker, base), stalled]);
  } finally {
    clearTimeout(timer);
    await worker.close();
    await producer.close();
    admin.disconnect();
  }
}

async function measureRound(
  admin: Redis,
  producer: SubjectProcess,
  worker: SubjectProcess,
  base: SubjectConfig,
): Promise<RoundResult> {
  const { subject, mode, tasks } = base;
  await Promise.all([producer.ready(), worker.ready()]);
  if (mode === 'fill' || mode === 'count') return fillThenDrain(admin, producer, worker, base);
  const start = performance.now();
  const [working, producing] = await Promise.all([worker.go(), producer.go()]);
  return {
    subject,
    mode,
    tasks,
    rate: tasks / ((performance.now() - start) / 1_000),
    producerCpuUs: producing.cpuUs / tasks,
    workerCpuUs: working.cpuUs / tasks,
    samples: producing.samples,
  };
}

async function fillThenDrain(
  admin: Redis,
  producer: SubjectProcess,
  worker: SubjectProcess,
  config: SubjectConfig,
): Promise<RoundResult> {
  const { subject, mode, tasks } = config;
  const counter = new CommandCounter(config.redisUrl);
  const calls = mode === 'count' ? await countCalls(config.redisUrl) : undefined;
  try {
    const memoryBefore = await usedMemory(admin);
    const commandsBefore = await counter.processed();
    const producing = await producer.go();
    const filled = await counter.processed();
    const producerCalls = await calls?.take();
    const memoryAfter = await usedMemory(admin);
    const drainStart = performance.now();
    const working = await worker.go();
    const drainMs = performance.now() - drainStart;
    const drained = await counter.processed();
    const workerCalls = await calls?.take();
    return {
      subject,
      mode,
      tasks,
      rate: tasks / (drainMs / 1_000),
      fillRate: tasks / (producing.elapsedMs / 1_000),
      producerCpuUs: producing.cpuUs / tasks,
      workerCpuUs: working.cpuUs / tasks,
      bytesPerTask: (memoryAfter - memoryBefore) / tasks,
      producerCommands: (filled - commandsBefore) / tasks,
      workerCommands: (drained - filled) / tasks,
      producerCalls: producerCalls === undefined ? undefined : producerCalls / tasks,
      workerCalls: workerCalls === undefined ? undefined : workerCalls / tasks,
    };
  } finally {
    counter.close();
    calls?.close();
  }
}

async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}
