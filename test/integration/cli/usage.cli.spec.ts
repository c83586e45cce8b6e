import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { celeriac } from './support/cli-rig.js';

const ARGS = ['--broker', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', '--prefix', 'cli-usage'];

/** What the binary says before it connects to anything: usage errors, help and wrong URLs. */
describe('celeriac CLI: usage', () => {
  // The first spec to need the compiled sources builds them (one tsc run, cached).
  beforeAll(() => compiledEntry('lib/cli/main.ts'), 180_000);

  it('bad arguments exit 2 with a message', async () => {
    const bad = await celeriac([...ARGS, 'call', 'ReportTasks.notify', '--args', '{"not": "an array"}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a JSON array of arguments');
    const unknownCommand = await celeriac([...ARGS, 'frobnicate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
    const help = await celeriac(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['call', 'result', 'queues', 'purge', 'dead-letters'])
      expect(help.stdout).toContain(command);
  });

  it('a wrong URL says what is wrong, exit 2', async () => {
    const notUrl = await celeriac(['--broker', 'localhost', 'queues', 'io']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/^celeriac: broker URL: .*localhost/);
    const embedded = await celeriac(['--broker', 'memory://', 'queues', 'io']);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain('lives inside one application process');
    const none = await celeriac(['queues', 'io']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('set BROKER_URL');
  });
});
