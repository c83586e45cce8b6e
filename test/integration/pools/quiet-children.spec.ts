import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { SpawnedProcess } from '../../support/spawned-process.js';

/**
 * `npm start` of the sample app: API + embedded worker whose `cpu` queue runs on two threads,
 * each booting the whole application again. Only the parent may print the bootstrap.
 */
jest.setTimeout(120_000);

describe('pool children boot quietly', () => {
  it('the sample app prints its bootstrap once, however many children boot, and runs a task in one', async () => {
    const entry = await compiledEntry('sample-app/src/main.ts');
    const app = SpawnedProcess.start([entry], {
      env: { PORT: '0', CELERIAC_PREFIX: `quiet-${randomUUID()}`, BROKER_URL: undefined },
    });
    try {
      const [, url] = await app.waitFor(/listening on (http:\/\/\S+)/);
      const sent = await fetch(`${url}/primes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 1_000 }),
      });
      const { id } = (await sent.json()) as { id: string };
      // The result arrives by server-sent events once the thread has run it.
      const events = await (await fetch(`${url}/tasks/${id}/events`)).text();
      expect(events).toContain('"state":"SUCCESS"');
      expect(events).toContain('"result":168');
    } finally {
      await app.stop();
    }
    const count = (pattern: RegExp) => app.lines.filter((line) => pattern.test(line)).length;
    expect(count(/Starting Nest application/)).toBe(1);
    expect(count(/CeleriacModule dependencies initialized/)).toBe(1);
    expect(count(/Mapped \{\/primes, POST\} route/)).toBe(1);
    // Children print nothing at all unless something is wrong (their lines carry "[cpu/threads#n]").
    expect(app.lines.filter((line) => line.includes('[cpu/threads#'))).toEqual([]);
    expect(count(/consuming cpu \(threads×2\)/)).toBe(1);
  });
});
