import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import {
  type ChildMessage,
  LATENCY_WARM_UP,
  type ParentMessage,
  type SubjectConfig,
} from './task-bench.protocol.js';
import { createProducer, createWorker, lanes, type ProducerSide } from './task-subjects.js';

/**
 * One side (producer or worker) of one subject in one round, in a process of its own. Boots and
 * connects, says `ready`, starts its work on `go`, says `done` with the CPU time it spent since
 * `go`, and exits on `close`.
 */
const config = JSON.parse(process.argv[2]) as SubjectConfig;
let since = { cpu: cpuUsage(), at: performance.now() };

function tell(message: ChildMessage): void {
  process.send!(message);
}

function done(samples?: number[]): void {
  const cpu = cpuUsage(since.cpu);
  tell({ type: 'done', cpuUs: cpu.user + cpu.system, elapsedMs: performance.now() - since.at, samples });
  void profiler?.stop();
}

/**
 * CELERIAC_BENCH_PROFILE=<dir>: a CPU profile of the measured part only (from `go` to done), as
 * `<subject>-<role>-<mode>-<namespace>.cpuprofile`, readable in Chrome DevTools.
 */
const profiler = process.env.CELERIAC_BENCH_PROFILE
  ? ((dir: string) => {
      const session = new Session();
      session.connect();
      const name = `${config.subject}-${config.role}-${config.mode}-${config.namespace}.cpuprofile`;
      let written: Promise<void> | undefined;
      return {
        start: async () => {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        },
        stop: () =>
          (written ??= session
            .post('Profiler.stop')
            .then(({ profile }) => writeFile(join(dir, name), JSON.stringify(profile)))),
      };
    })(process.env.CELERIAC_BENCH_PROFILE)
  : undefined;

async function produce(producer: ProducerSide): Promise<number[] | undefined> {
  const { mode, tasks, outstanding } = config;
  if (mode === 'fill') await producer.fill(tasks);
  else if (mode === 'wait') await lanes(tasks, outstanding, (n) => producer.sendAndWait(n));
  else if (mode === 'latency') {
    const samples: number[] = [];
    for (let n = 0; n < LATENCY_WARM_UP + tasks; n++) {
      const start = performance.now();
      await producer.sendAndWait(n);
      if (n >= LATENCY_WARM_UP) samples.push(performance.now() - start);
    }
    return samples;
  } else await lanes(tasks, outstanding, (n) => producer.send(n));
  return undefined;
}

async function main(): Promise<void> {
  const expected = config.mode === 'latency' ? LATENCY_WARM_UP + config.tasks : config.tasks;
  let completed = 0;
  const side =
    config.role === 'producer'
      ? await createProducer(config)
      : await createWorker(config, () => ++completed === expected && done());
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'go') {
      void profiler?.start();
      since = { cpu: cpuUsage(), at: performance.now() };
      if ('send' in side) void produce(side).then(done, fail);
      else side.start().catch(fail);
    } else {
      Promise.all([profiler?.stop(), side.close()]).then(
        () => {
          tell({ type: 'closed' });
          process.exit(0);
        },
        (error: unknown) => fail(error),
      );
    }
  });
  tell({ type: 'ready' });
}

function fail(error: unknown): void {
  tell({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
}

main().catch(fail);
