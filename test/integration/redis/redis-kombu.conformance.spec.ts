import { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import type { QueueProtocols } from '../../../lib/protocol/queue-protocol.js';
import { describeBrokerConformance } from '../../conformance/broker.conformance.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';

/** Every queue of these brokers speaks Celery's protocol, so each lives in kombu's Redis layout. */
const everyQueueCelery: QueueProtocols = new Proxy({}, { get: () => 'celery' });

const namespaces = new Set<string>();

afterAll(async () => {
  // kombu's binding sets outlive a purge (as in kombu): drop each test's namespace.
  const redis = inspector();
  for (const prefix of namespaces) await deleteKeys(redis, prefix);
  redis.disconnect();
});

describeBrokerConformance(
  'redis, kombu layout',
  (prefix) => {
    namespaces.add(prefix);
    return new RedisBroker({
      url: REDIS_URL,
      prefix,
      protocols: everyQueueCelery,
      // Each test has its own kombu namespace: `unacked` is shared by every queue of one.
      extra: { kombu: { globalKeyPrefix: `${prefix}:`, visibilityTimeoutMs: 2_000 } },
    });
  },
  // As in Celery, a message sent without a priority is kombu's default, the list read first.
  { unsetPriority: 'highest' },
);
