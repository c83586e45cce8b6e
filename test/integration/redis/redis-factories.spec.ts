import { createBackend } from '../../../lib/backends/create-backend.js';
import { createBroker } from '../../../lib/brokers/create-broker.js';
import { REDIS_URL } from './support/redis-env.js';

// This file must not import the Redis modules itself: it checks their first, concurrent lazy load.
describe('Broker and backend factories for redis:// URLs', () => {
  it('load the Redis broker and backend at the same time, as the module does', async () => {
    const [broker, backend] = await Promise.all([
      createBroker({ url: REDIS_URL, prefix: 'celeriac-factories' }),
      createBackend({ url: REDIS_URL, prefix: 'celeriac-factories', resultTtlMs: 1_000 }),
    ]);
    expect([broker.kind, backend.kind]).toEqual(['redis', 'redis']);
    expect((await createBroker({ url: 'rediss://h:1', prefix: 'p' })).kind).toBe('redis');
  });
});
