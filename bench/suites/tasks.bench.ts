import { randomUUID } from 'node:crypto';
import { AmqpNames } from '../../lib/brokers/amqp/amqp-names.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { withOwnRedis } from '../support/own-redis.js';
import { percentile } from '../support/stats.js';
import type { Mode, SubjectName } from '../support/tasks/task-bench.protocol.js';
import { runRound, type RoundResult, type RoundSettings } from '../support/tasks/task-round.js';
import { deleteTopology } from './amqp.bench.js';

/**
 * Full stack, Celeriac beside BullMQ and Bee-Queue (and raw amqplib for RabbitMQ): producer and
 * worker in processes of their own, on a throw-away redis-server, a no-op task. Rounds interleave
 * the subjects (their order rotates); each figure is the median of the rounds, each ratio the
 * median of the per-round ratios. `npm run bench -- tasks [--quick] [--rounds=N] [--tasks=N]
 * [--drain=N] [--samples=N] [--only=fire,ignore,wait,latency,drain,count,amqp,events]`. `events`: Celeriac
 * with task events off and on (`events: true`), interleaved, fire and forget and waiting on each result.
 */
interface Settings {
  rounds: number;
  tasks: number;
  drain: number;
  samples: number;
  only?: string[];
}

function settingsFrom(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const number = (name: string, fallback: number): number => {
    const found = argv.find((arg) => arg.startsWith(`--${name}=`));
    return found ? Number(found.split('=')[1]) : fallback;
  };
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  return {
    rounds: number('rounds', quick ? 2 : 3),
    tasks: number('tasks', quick ? 5_000 : 20_000),
    drain: number('drain', quick ? 50_000 : 200_000),
    samples: number('samples', quick ? 300 : 1_000),
    only: only?.split(','),
  };
}

const REDIS_SUBJECTS: SubjectName[] = ['celeriac', 'bullmq', 'bee'];
const EVENT_SUBJECTS: SubjectName[] = ['celeriac', 'celeriac-events'];
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const OUTSTANDING = 1_000;
const CONCURRENCY = 50;

/** One measured case: which subjects, in which mode, with how many tasks. */
interface Case {
  key: string;
  group: string;
  mode: Mode;
  subjects: SubjectName[];
  tasks: number;
}

function casesFor(settings: Settings): Case[] {
  const small = Math.max(1, Math.round(settings.drain / 10));
  const all: Case[] = [
    { key: 'fire', group: 'fire', mode: 'fire', subjects: REDIS_SUBJECTS, tasks: settings.tasks },
    { key: 'ignore', group: 'ignore', mode: 'ignore', subjects: REDIS_SUBJECTS, tasks: settings.tasks },
    { key: 'wait', group: 'wait', mode: 'wait', subjects: REDIS_SUBJECTS, tasks: settings.tasks },
    { key: 'latency', group: 'latency', mode: 'latency', subjects: REDIS_SUBJECTS, tasks: settings.samples },
    { key: 'drain-small', group: 'drain', mode: 'fill', subjects: REDIS_SUBJECTS, tasks: small },
    { key: 'drain-large', group: 'drain', mode: 'fill', subjects: REDIS_SUBJECTS, tasks: settings.drain },
    {
      key: 'amqp-fire',
      group: 'amqp',
      mode: 'fire',
      subjects: ['celeriac-amqp', 'raw-amqp'],
      tasks: settings.tasks,
    },
    { key: 'amqp-ignore', group: 'amqp', mode: 'ignore', subjects: ['celeriac-amqp'], tasks: settings.tasks },
    { key: 'events-fire', group: 'events', mode: 'fire', subjects: EVENT_SUBJECTS, tasks: settings.tasks },
    { key: 'events-wait', group: 'events', mode: 'wait', subjects: EVENT_SUBJECTS, tasks: settings.tasks },
  ];
  return all.filter((c) => !settings.only || settings.only.includes(c.group));
}

/** Per case and subject, one entry per round (undefined where that round failed). */
type Results = Map<string, (RoundResult | undefined)[]>;

async function measure(
  settings: Settings,
  redisUrl: string,
): Promise<{ results: Results; counts: RoundResult[] }> {
  const round: RoundSettings = {
    redisUrl,
    amqpUrl: AMQP_URL,
    outstanding: OUTSTANDING,
    concurrency: CONCURRENCY,
  };
  const results: Results = new Map();
  const cases = casesFor(settings);
  for (let r = 0; r < settings.rounds; r++) {
    for (const c of cases) {
      const order = c.subjects.map((_, i) => c.subjects[(i + r) % c.subjects.length]);
      for (const subject of order) {
        const key = `${c.key}/${subject}`;
        const list = results.get(key) ?? [];
        results.set(key, list);
        try {
          const result = await runOne(subject, c.mode, c.tasks, round);
          list[r] = result;
          console.log(`  round ${r + 1} ${c.key} ${describe(result)}`);
        } catch (error) {
          console.log(`  round ${r + 1} ${c.key} ${subject}: failed, left out (${(error as Error).message})`);
        }
      }
    }
  }
  const counts: RoundResult[] = [];
  if (!settings.only || settings.only.includes('count')) {
    const tasks = Math.min(settings.tasks, 5_000);
    for (const subject of REDIS_SUBJECTS) {
      try {
        const result = await runOne(subject, 'count', tasks, round);
        console.log(`  count ${describe(result)}`);
        counts.push(result);
      } catch (error) {
        console.log(`  count ${subject}: failed, left out (${(error as Error).message})`);
      }
    }
  }
  return { results, counts };
}

async function runOne(
  subject: SubjectName,
  mode: Mode,
  tasks: number,
  round: RoundSettings,
): Promise<RoundResult> {
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  try {
    return await runRound(subject, mode, tasks, namespace, round);
  } finally {
    if (subject === 'celeriac-amqp')
      await deleteTopology(new AmqpNames(namespace), 'work').catch(() => undefined);
  }
}

function describe(result: RoundResult): string {
  const parts = [
    `${result.subject}: ${result.rate.toFixed(0)} tasks/s`,
    `cpu ${result.producerCpuUs.toFixed(0)} + ${result.workerCpuUs.toFixed(0)} µs/task`,
  ];
  if (result.samples) parts.push(`p50 ${percentile(result.samples, 50).toFixed(3)} ms`);
  if (result.fillRate !== undefined) parts.push(`filled at ${result.fillRate.toFixed(0)} tasks/s`);
  if (result.bytesPerTask !== undefined) parts.push(`${result.bytesPerTask.toFixed(0)} B/task`);
  if (result.producerCalls !== undefined) {
    parts.push(`calls ${result.producerCalls.toFixed(2)} + ${result.workerCalls!.toFixed(2)}`);
    parts.push(`commands ${result.producerCommands!.toFixed(1)} + ${result.workerCommands!.toFixed(1)}`);
  }
  return parts.join(', ');
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function rounds(list: (RoundResult | undefined)[] | undefined): RoundResult[] {
  return (list ?? []).filter((r): r is RoundResult => r !== undefined);
}

/** Rounds in which both were measured, as pairs. */
function pairs(
  a: (RoundResult | undefined)[] | undefined,
  b: (RoundResult | undefined)[] | undefined,
): [RoundResult, RoundResult][] {
  const out: [RoundResult, RoundResult][] = [];
  (a ?? []).forEach((r, i) => {
    const other = b?.[i];
    if (r && other) out.push([r, other]);
  });
  return out;
}

/** The median over rounds of `value`, and of its ratio to each baseline measured in the same round. */
function summary(
  results: Results,
  key: string,
  subject: SubjectName,
  value: (r: RoundResult) => number,
  baselines: SubjectName[],
): { value: number; ratios: Map<SubjectName, number> } | undefined {
  const own = results.get(`${key}/${subject}`);
  const measured = rounds(own);
  if (measured.length === 0) return undefined;
  const ratios = new Map<SubjectName, number>();
  for (const baseline of baselines) {
    const paired = pairs(own, results.get(`${key}/${baseline}`));
    if (paired.length > 0) ratios.set(baseline, median(paired.map(([a, b]) => value(a) / value(b))));
  }
  return { value: median(measured.map(value)), ratios };
}

const NAMES: Record<SubjectName, string> = {
  celeriac: 'celeriac',
  'celeriac-events': 'celeriac, events: true',
  bullmq: 'bullmq',
  bee: 'bee-queue',
  'celeriac-amqp': 'celeriac (RabbitMQ + Redis results)',
  'raw-amqp': 'raw amqplib',
};

/** Each subject's bulk call, used to fill the drained queues. */
const BULK_CALLS: Record<SubjectName, string> = {
  celeriac: 'sendMany',
  bullmq: 'addBulk',
  bee: 'saveAll',
  'celeriac-events': 'sendMany',
  'celeriac-amqp': 'sendMany',
  'raw-amqp': 'publish',
};

function ratioNote(ratios: Map<SubjectName, number>): string {
  return [...ratios].map(([baseline, ratio]) => `${ratio.toFixed(2)}× ${NAMES[baseline]}`).join(', ');
}

function rows(settings: Settings, results: Results, counts: RoundResult[]): BenchRow[] {
  const out: BenchRow[] = [];
  const rate = (r: RoundResult): number => r.rate;
  const cpu = (key: string, subject: SubjectName): string => {
    const list = rounds(results.get(`${key}/${subject}`));
    const p = median(list.map((r) => r.producerCpuUs));
    const w = median(list.map((r) => r.workerCpuUs));
    return `CPU ${p.toFixed(0)} + ${w.toFixed(0)} µs/task (producer + worker)`;
  };
  const throughput = (
    key: string,
    label: string,
    subjects: SubjectName[],
    baselines: SubjectName[],
  ): void => {
    for (const subject of subjects) {
      const s = summary(
        results,
        key,
        subject,
        rate,
        baselines.filter((b) => b !== subject),
      );
      if (!s) continue;
      const note = [ratioNote(s.ratios), cpu(key, subject)].filter(Boolean).join('; ');
      out.push({ case: label, subject: NAMES[subject], value: s.value, unit: 'tasks/s', note });
    }
  };
  const n = settings.tasks;
  const redisBaselines: SubjectName[] = ['bullmq', 'bee'];
  throughput('fire', `Redis, fire and forget, results stored (${n})`, REDIS_SUBJECTS, redisBaselines);
  throughput('ignore', `Redis, fire and forget, nothing stored (${n})`, REDIS_SUBJECTS, redisBaselines);
  throughput('wait', `Redis, caller waits on every result (${n})`, REDIS_SUBJECTS, redisBaselines);
  for (const p of [50, 99]) {
    for (const subject of REDIS_SUBJECTS) {
      const baselines = redisBaselines.filter((b) => b !== subject);
      const s = summary(results, 'latency', subject, (r) => percentile(r.samples!, p), baselines);
      if (!s) continue;
      const note = [...s.ratios]
        .map(([b, ratio]) => `${NAMES[b]}'s is ${(1 / ratio).toFixed(2)}× this`)
        .join(', ');
      out.push({
        case: `Redis, round trip p${p}, concurrency 1`,
        subject: NAMES[subject],
        value: s.value,
        unit: 'ms',
        note,
      });
    }
  }
  const small = Math.max(1, Math.round(settings.drain / 10));
  throughput('drain-small', `Redis, drain of a pre-filled ${small} queue`, REDIS_SUBJECTS, redisBaselines);
  throughput(
    'drain-large',
    `Redis, drain of a pre-filled ${settings.drain} queue`,
    REDIS_SUBJECTS,
    redisBaselines,
  );
  for (const subject of REDIS_SUBJECTS) {
    const paired = pairs(results.get(`drain-large/${subject}`), results.get(`drain-small/${subject}`));
    if (paired.length === 0) continue;
    const ratio = median(paired.map(([large, few]) => large.rate / few.rate));
    const bytes = median(paired.map(([large]) => large.bytesPerTask!));
    out.push({
      case: `Redis, drain rate at ${settings.drain} / at ${small}`,
      subject: NAMES[subject],
      value: ratio * 100,
      unit: '%',
    });
    out.push({
      case: `Redis memory per queued task (${settings.drain} queued)`,
      subject: NAMES[subject],
      value: bytes,
      unit: 'B',
      note: `filled with ${BULK_CALLS[subject]}`,
    });
  }
  for (const subject of REDIS_SUBJECTS) {
    const baselines = redisBaselines.filter((b) => b !== subject);
    const s = summary(results, 'drain-large', subject, (r) => r.fillRate!, baselines);
    if (!s) continue;
    const producer = median(rounds(results.get(`drain-large/${subject}`)).map((r) => r.producerCpuUs));
    out.push({
      case: `Redis, bulk send of ${settings.drain} in calls of 1000 (no worker)`,
      subject: `${NAMES[subject]} ${BULK_CALLS[subject]}`,
      value: s.value,
      unit: 'tasks/s',
      note: [ratioNote(s.ratios), `producer CPU ${producer.toFixed(0)} µs/task`].filter(Boolean).join('; '),
    });
  }
  for (const c of counts) {
    const label = `Redis, per task (${c.tasks} sent one by one, then drained)`;
    out.push({
      case: `${label}: client calls`,
      subject: NAMES[c.subject],
      value: c.producerCalls! + c.workerCalls!,
      unit: 'calls',
      note: `producer ${c.producerCalls!.toFixed(2)} + worker ${c.workerCalls!.toFixed(2)}`,
    });
    out.push({
      case: `${label}: Redis commands (scripts' included)`,
      subject: NAMES[c.subject],
      value: c.producerCommands! + c.workerCommands!,
      unit: 'commands',
      note: `producer ${c.producerCommands!.toFixed(1)} + worker ${c.workerCommands!.toFixed(1)}`,
    });
  }
  throughput(
    'amqp-fire',
    `RabbitMQ + Redis results, fire and forget (${n})`,
    ['celeriac-amqp'],
    ['raw-amqp'],
  );
  const ignoreRow = out.length;
  throughput('amqp-ignore', `RabbitMQ, fire and forget, ignoreResult (${n})`, ['celeriac-amqp'], []);
  const ignored = summary(results, 'amqp-ignore', 'celeriac-amqp', rate, []);
  const raw = summary(results, 'amqp-fire', 'raw-amqp', rate, []);
  const paired = pairs(results.get('amqp-ignore/celeriac-amqp'), results.get('amqp-fire/raw-amqp'));
  if (ignored && raw && paired.length > 0) {
    const ratio = median(paired.map(([own, theirs]) => own.rate / theirs.rate));
    out[ignoreRow].note = `${ratio.toFixed(2)}× raw amqplib; ${cpu('amqp-ignore', 'celeriac-amqp')}`;
  }
  throughput('events-fire', `Redis, events off / on, fire and forget (${n})`, EVENT_SUBJECTS, ['celeriac']);
  throughput('events-wait', `Redis, events off / on, caller waits (${n})`, EVENT_SUBJECTS, ['celeriac']);
  throughput(
    'amqp-fire',
    `RabbitMQ, publish (confirm) + consume (ack), nothing stored (${n})`,
    ['raw-amqp'],
    [],
  );
  return out;
}

const suite: BenchSuite = {
  name: 'tasks',
  async run() {
    const settings = settingsFrom(process.argv.slice(3));
    console.log(
      `  ${settings.rounds} rounds, ${settings.tasks} tasks, drain ${settings.drain}, ${settings.samples} latency samples, ` +
        `${OUTSTANDING} outstanding, worker concurrency ${CONCURRENCY}; ${new Date().toISOString()}`,
    );
    return withOwnRedis(async (url) => {
      const { results, counts } = await measure(settings, url);
      return rows(settings, results, counts);
    });
  },
};
export default suite;
