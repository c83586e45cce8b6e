import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { startWorkerApp } from '../../support/worker-app.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';

describe('start-up warning for results kept in process memory', () => {
  afterEach(() => jest.restoreAllMocks());

  async function warningsFor(backend?: string): Promise<string[]> {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const w = await startWorkerApp([], { broker: AMQP_URL, backend });
    await w.close();
    await deleteByPrefix(w.prefix);
    if (backend) await deleteRedisKeys(w.prefix);
    return warn.mock.calls.map((call) => String(call[0]));
  }

  it('warns when an amqp broker has no result backend of its own', async () => {
    const warnings = await warningsFor(undefined);
    expect(warnings.some((line) => /results are kept in this process's memory: set backend/.test(line))).toBe(
      true,
    );
    expect(warnings.join('\n')).toContain('amqp://guest:***@127.0.0.1:5672');
  });

  it('says nothing when results go to Redis', async () => {
    const warnings = await warningsFor('redis://127.0.0.1:6379');
    expect(warnings.some((line) => line.includes("this process's memory"))).toBe(false);
  });
});
