/**
 * The one module the broker and backend factories load for `redis://` URLs. Nest creates the broker
 * and the result backend at the same time; two concurrent dynamic imports whose graphs share a
 * CommonJS dependency (ioredis, reflect-metadata) can fail to link under jest's ESM runtime
 * ("request for 'x' is not in cache"). Importing one module from both sides links it once.
 */
export { RedisBroker } from '../brokers/redis/redis.broker.js';
export { RedisBackend } from '../backends/redis/redis.backend.js';
export { RedisControlChannel } from '../brokers/redis/redis-control-channel.js';
export { RedisEventBus } from '../brokers/redis/redis-event-bus.js';
