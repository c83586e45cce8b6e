import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { SpawnedProcess } from '../../support/spawned-process.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { REDIS_URL } from '../redis/support/redis-env.js';

jest.setTimeout(120_000);

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A line of Nest's default logger naming a Celeriac part: `[Nest] 123 - … WARN [CeleriacWorker] …`. */
const DEFAULT_CELERIAC_LINE = /\[Nest\].*\[Celeriac[^\]]*\]/;

describe.each([
  ['Redis', REDIS_URL],
  ['RabbitMQ', AMQP_URL],
])('the logger option on %s', (_name, broker) => {
  const prefix = `plugged-${randomUUID()}`;
  let app: SpawnedProcess;
  let plugged: string[];

  beforeAll(async () => {
    const entry = await compiledEntry('test/fixtures/logging/plugged-logger.main.ts');
    app = SpawnedProcess.start([entry], { env: { BROKER_URL: broker, CELERIAC_PREFIX: prefix } });
    const code = await app.exit();
    if (code !== 0) throw new Error(`the fixture exited with ${code}:\n${app.output()}`);
    plugged = app.lines.filter((line) => line.startsWith('PLUGGED '));
  });

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    if (broker === AMQP_URL) await deleteByPrefix(prefix);
  });

  it('the application ran: retries, a threads child, a dead letter, remote control', () => {
    expect(app.lines).toEqual(
      expect.arrayContaining([
        'RESULT flaky second attempt',
        'RESULT square 49',
        'RESULT ping 1',
        'FIXTURE DONE',
      ]),
    );
  });

  it('every Celeriac line goes to the plugged logger, none to Nest’s default one', () => {
    expect(app.lines.filter((line) => DEFAULT_CELERIAC_LINE.test(line))).toEqual([]);
    // Nest's own lines still go to its default logger: the two are told apart.
    expect(app.lines.some((line) => /\[Nest\].*Nest microservice successfully started/.test(line))).toBe(
      true,
    );
  });

  it('the plugged logger hears the worker, executor, client, beat, control plane and pool children', () => {
    const heard = (context: string, pattern: RegExp) =>
      plugged.some((line) => line.includes(`[${context}]`) && pattern.test(line));
    expect(heard('CeleriacWorker', /^PLUGGED log .* consuming /)).toBe(true);
    expect(
      heard(
        'Celeriac',
        /^PLUGGED warn .*LoggedTasks\.flaky\[.*\] attempt 1\/2 failed: Error: first attempt fails/,
      ),
    ).toBe(true);
    expect(heard('Celeriac', /^PLUGGED warn .*"Nobody\.knows"/)).toBe(true);
    expect(heard('Celeriac', /^PLUGGED warn .*dead-lettering message .*unknown task "Nobody\.knows"/)).toBe(
      true,
    );
    expect(heard('CeleriacBeat', /^PLUGGED log .*schedule\(s\)/)).toBe(true);
    expect(heard('CeleriacWorker', /^PLUGGED warn .*ignored a control message/)).toBe(true);
    // The threads child booted the application again: its lines are warnings only, tagged with its slot.
    const child = plugged.filter((line) => line.includes('[cpu/threads#1]'));
    expect(child.length).toBeGreaterThan(0);
    expect(child.every((line) => /^PLUGGED (warn|error) /.test(line))).toBe(true);
    expect(child.some((line) => /results are kept in this process's memory/.test(line))).toBe(true);
  });
});

describe('every part takes its logger from the logger option', () => {
  it('no file of lib/ creates a Nest Logger of its own, but the defaults createCeleriacLogger stands for', async () => {
    const lib = join(root, 'lib');
    const entries = await readdir(lib, { recursive: true, withFileTypes: true });
    const own: string[] = [];
    for (const entry of entries.filter((file) => file.isFile() && file.name.endsWith('.ts'))) {
      const path = join(entry.parentPath, entry.name);
      const text = await readFile(path, 'utf8');
      for (const match of text.matchAll(/new Logger\(([^)]*)\)/g))
        own.push(`${path.slice(lib.length + 1)}: ${match[0]}`);
    }
    // The default of createCeleriacLogger itself, a worker's line before it is attached to its
    // module (replaced at listen), and the default of a ControlClient built outside a module (CLI).
    expect(own.sort()).toEqual([
      "control/control-client.ts: new Logger('CeleriacControl')",
      'logging/celeriac-logger.ts: new Logger(context)',
      "worker/celeriac.worker.ts: new Logger('CeleriacWorker')",
    ]);
  });
});
