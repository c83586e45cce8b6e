import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveOptions } from '../../../../lib/resolve-options.js';
import { childPoolSettings, POOL_ENTRY_ENV } from '../../../../lib/worker/pools/child-pool-options.js';

const here = fileURLToPath(import.meta.url);

describe('child pool options', () => {
  afterEach(() => delete process.env[POOL_ENTRY_ENV]);

  it('threads and processes default to one child per CPU, without recycling, with a 1 s hard-limit grace', () => {
    const { queues } = resolveOptions({ queues: { cpu: { pool: 'threads' } } });
    expect(queues.cpu.concurrency).toBeGreaterThanOrEqual(1);
    expect(childPoolSettings('cpu', { ...queues.cpu, entry: here })).toMatchObject({
      entry: here,
      maxTasksPerChild: 0,
      maxMemoryBytes: 0,
      hardTimeLimitGraceMs: 1_000,
    });
  });

  it('takes MB for memory limits and file: URLs for the entry', () => {
    const settings = childPoolSettings('cpu', {
      pool: 'processes',
      concurrency: 2,
      entry: pathToFileURL(here).href,
      maxMemoryPerChild: 300,
      maxHeapPerChild: 512,
    });
    expect(settings).toMatchObject({ entry: here, maxMemoryBytes: 300 * 1024 * 1024, maxHeapMb: 512 });
  });

  it.each([
    [
      { pool: 'async' as const, maxTasksPerChild: 10 },
      /queues.q.maxTasksPerChild: applies to threads and processes pools only/,
    ],
    [{ pool: 'threads' as const, maxTasksPerChild: -1 }, /queues.q.maxTasksPerChild: must be an integer ≥ 0/],
    [
      { pool: 'processes' as const, maxMemoryPerChild: 0 },
      /queues.q.maxMemoryPerChild: must be an integer ≥ 1/,
    ],
    [{ pool: 'threads' as const, entry: '' }, /queues.q.entry: must be a file path/],
  ])('rejects %o at bootstrap', (queue, message) => {
    expect(() => resolveOptions({ queues: { q: queue } })).toThrow(message);
  });

  it('under a test runner, refuses to re-enter argv[1] and says how to fix it', () => {
    expect(() => childPoolSettings('cpu', { pool: 'threads', concurrency: 1 })).toThrow(
      /process.argv\[1\] is a test runner .*set the queue's `entry` \(or CELERIAC_POOL_ENTRY\)/,
    );
  });

  it('reads the entry from CELERIAC_POOL_ENTRY when the queue names none, and checks it exists', () => {
    process.env[POOL_ENTRY_ENV] = here;
    expect(childPoolSettings('cpu', { pool: 'threads', concurrency: 1 }).entry).toBe(here);
    expect(() =>
      childPoolSettings('cpu', { pool: 'threads', concurrency: 1, entry: '/nowhere/main.js' }),
    ).toThrow(/queue "cpu" \(threads pool\): entry \/nowhere\/main.js does not exist/);
  });
});
