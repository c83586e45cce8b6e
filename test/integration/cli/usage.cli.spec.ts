import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
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

  it('a frozen broker (it accepts the connection and never answers): one line once --timeout passes, exit 3, password hidden', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const runs = await Promise.all(
        [`redis://:hunter2@127.0.0.1:${port}`, `amqp://guest:hunter2@127.0.0.1:${port}`].map((broker) =>
          celeriac([
            '--broker',
            broker,
            '--backend',
            'redis://127.0.0.1:6379',
            '--timeout',
            '700',
            'queues',
            'io',
          ]),
        ),
      );
      for (const [n, scheme] of ['redis', 'amqp'].entries()) {
        const userinfo = scheme === 'redis' ? ':***' : 'guest:***';
        expect(runs[n]).toEqual({
          code: 3,
          stdout: '',
          stderr: `celeriac: cannot reach the broker at ${scheme}://${userinfo}@127.0.0.1:${port}: no answer within 700 ms\n`,
        });
      }
      // Both binaries did connect: the server was frozen, not down.
      expect(sockets.length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
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
