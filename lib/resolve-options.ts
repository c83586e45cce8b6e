import { cpus } from 'node:os';
import {
  DEFAULT_ASYNC_CONCURRENCY,
  DEFAULT_MAX_DELIVERIES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_QUEUE,
  DEFAULT_RESULT_TTL_MS,
  DEFAULT_UNCONSUMED_QUEUE_WARNING_MS,
  RECEIVE_LIMIT_SLACK_BYTES,
} from './celeriac.constants.js';
import type {
  CeleriacModuleOptions,
  QueueOptions,
  ResolvedCeleriacOptions,
  ResolvedQueueOptions,
} from './celeriac-options.interface.js';
import { schemeOf } from './brokers/broker-url.js';
import { checkTlsRequired } from './brokers/tls-options.js';
import { QUEUE_PROTOCOLS } from './protocol/queue-protocol.js';
import { MessageSigner, type SigningOptions } from './protocol/message-signer.js';
import { TaskDefinitionError } from './errors/task-definition.error.js';
import { checkChildPoolOptions } from './worker/pools/child-pool-options.js';
import type { PoolKind } from './worker/pools/pool.interface.js';

const POOLS: readonly PoolKind[] = ['solo', 'async', 'threads', 'processes'];

/** Applies defaults and checks the module options; a mistake is a bootstrap error naming the setting. */
export function resolveOptions(options: CeleriacModuleOptions): ResolvedCeleriacOptions {
  const broker = options.broker || 'memory://';
  const queues = options.queues ?? { [DEFAULT_QUEUE]: { pool: 'async' } };
  const backend = options.backend || defaultBackendFor(broker);
  if (options.requireTls) {
    checkTlsRequired(broker, 'the broker URL (broker, BROKER_URL)');
    const more = options.brokerOptions?.urls;
    if (Array.isArray(more)) for (const url of more) checkTlsRequired(String(url), 'brokerOptions.urls');
    checkTlsRequired(backend, 'the result backend URL (backend, RESULT_URL)');
  }
  return {
    broker,
    backend,
    prefix: options.prefix ?? 'celeriac',
    queues: Object.fromEntries(
      Object.entries(queues).map(([name, queue]) => [name, resolveQueue(name, queue)]),
    ),
    producerOnly: options.producerOnly ?? false,
    resultTtl: options.resultTtl ?? DEFAULT_RESULT_TTL_MS,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    maxReceiveBytes: resolveReceiveLimit(options),
    signing: resolveSigning(options.signing),
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    trackStarted: options.trackStarted ?? false,
    events: options.events ?? false,
    brokerOptions: options.brokerOptions ?? {},
    backendOptions: options.backendOptions ?? {},
    tls: options.tls,
    logger: options.logger,
    unconsumedQueueWarning: resolveUnconsumedWarning(options.unconsumedQueueWarning),
    schedules: options.schedules,
    beat: options.beat ?? false,
  };
}

/** The receive-side cap: a whole number of bytes, at least what a producer may send. */
function resolveReceiveLimit(options: CeleriacModuleOptions): number {
  const sendLimit = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const limit = options.maxReceiveBytes ?? sendLimit + RECEIVE_LIMIT_SLACK_BYTES;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TaskDefinitionError('maxReceiveBytes: must be a whole number of bytes ≥ 1');
  }
  return limit;
}

/** Keys are checked here, so a short or missing key is a bootstrap error, not a failure at the first send. */
function resolveSigning(signing: SigningOptions | undefined): SigningOptions | undefined {
  if (signing === undefined) return undefined;
  new MessageSigner(signing);
  return signing;
}

function resolveUnconsumedWarning(value: number | false | undefined): number | false {
  if (value === undefined) return DEFAULT_UNCONSUMED_QUEUE_WARNING_MS;
  if (value !== false && (!Number.isFinite(value) || value <= 0)) {
    throw new TaskDefinitionError('unconsumedQueueWarning: must be a number of ms > 0, or false');
  }
  return value;
}

/** Redis brokers keep results in the same Redis; anything else defaults to the embedded backend. */
function defaultBackendFor(broker: string): string {
  const scheme = schemeOf(broker);
  return scheme === 'redis' || scheme === 'rediss' ? broker : 'memory://';
}

function resolveQueue(name: string, queue: QueueOptions): ResolvedQueueOptions {
  const pool = queue.pool ?? 'async';
  if (!POOLS.includes(pool)) {
    throw new TaskDefinitionError(`queues.${name}.pool: "${String(pool)}" is not one of ${POOLS.join(', ')}`);
  }
  const concurrency = queue.concurrency ?? defaultConcurrency(pool);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TaskDefinitionError(`queues.${name}.concurrency: must be an integer ≥ 1`);
  }
  if (pool === 'solo' && concurrency !== 1) {
    throw new TaskDefinitionError(
      `queues.${name}: a solo pool runs one task at a time (concurrency must be 1)`,
    );
  }
  checkChildPoolOptions(`queues.${name}`, pool, queue);
  if (queue.protocol !== undefined && !QUEUE_PROTOCOLS.includes(queue.protocol)) {
    throw new TaskDefinitionError(
      `queues.${name}.protocol: "${String(queue.protocol)}" is not one of ${QUEUE_PROTOCOLS.join(', ')}`,
    );
  }
  return { ...queue, pool, concurrency };
}

function defaultConcurrency(pool: PoolKind): number {
  if (pool === 'solo') return 1;
  if (pool === 'async') return DEFAULT_ASYNC_CONCURRENCY;
  return Math.max(1, cpus().length);
}
