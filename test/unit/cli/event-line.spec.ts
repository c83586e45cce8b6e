import { eventLine } from '../../../lib/cli/commands/event-line.js';
import type { CeleriacEvent } from '../../../lib/control/celeriac-event.js';

const origin = { hostname: 'web-1', pid: 7, seq: 1 };
const at = Date.UTC(2026, 11, 3, 12, 30, 26, 123);
const id = '3f0c2a9e-0000-4000-8000-000000000001';

describe('events line for people', () => {
  it('puts time, type and Task[id] in fixed columns, then the details that are set', () => {
    const lines = (
      [
        { type: 'task-received', id, task: 'ReportTasks.notify', queue: 'io', worker: 'w:1', args: ['hi'] },
        { type: 'task-succeeded', id, task: 'ReportTasks.notify', queue: 'io', worker: 'w:1', runtime: 4 },
        { type: 'task-retried', id, task: 'A.b', queue: 'io', worker: 'w:1', retries: 1, error: 'boom now' },
      ] as const
    ).map((event) => eventLine({ ...origin, at, ...event } as CeleriacEvent));
    const subject = `ReportTasks.notify[${id}]`.padEnd(60);
    expect(lines).toEqual([
      `2026-12-03T12:30:26.123Z  task-received      ${subject}  queue=io worker=w:1 args=["hi"]`,
      `2026-12-03T12:30:26.123Z  task-succeeded     ${subject}  queue=io worker=w:1 runtime=4ms`,
      `2026-12-03T12:30:26.123Z  task-retried       ${`A.b[${id}]`.padEnd(60)}  queue=io worker=w:1 retries=1 error=boom now`,
    ]);
    // The details start in the same column on every line.
    expect(new Set(lines.map((line) => line.indexOf('queue=')))).toEqual(new Set([26 + 17 + 2 + 60 + 2]));
  });

  it('a worker event names the worker, its counts, queues and load', () => {
    const line = eventLine({
      ...origin,
      type: 'worker-heartbeat',
      at,
      worker: 'web-1:7',
      freq: 2_000,
      active: 1,
      processed: 12,
      load: [0.5, 0.25, 1],
      queues: [
        { queue: 'io', pool: 'async', concurrency: 100, held: 1 },
        { queue: 'serial', pool: 'solo', concurrency: 1, held: 0 },
      ],
    });
    expect(line).toBe(
      `2026-12-03T12:30:26.123Z  worker-heartbeat   ${'web-1:7'.padEnd(60)}  active=1 processed=12 queues=io(async×100),serial(solo×1) load=0.50/0.25/1.00`,
    );
  });

  it('a subject longer than its column pushes the details two spaces after it', () => {
    const task = 'A'.repeat(70);
    const line = eventLine({ ...origin, type: 'task-started', at, id, task, queue: 'io' });
    expect(line).toBe(`2026-12-03T12:30:26.123Z  task-started       ${task}[${id}]  queue=io`);
  });
});
