import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../celeriac.constants.js';
import { TaskDefinitionError } from '../../errors/task-definition.error.js';
import { redactUrl } from '../broker-url.js';

/** RabbitMQ settings, passed as `brokerOptions` (the `extra` of the broker's connection options). */
export interface AmqpBrokerOptions {
  /**
   * `classic` (default): priorities 0–9 through `x-max-priority`. `quorum`: replicated queues for
   * clusters, with the delivery limit enforced by RabbitMQ itself; RabbitMQ 3.x quorum queues
   * ignore priorities and 4.x ones know only two levels (0–4 normal, 5–9 high).
   */
  queueType?: 'classic' | 'quorum';
  /**
   * A message handed out this many times without being settled (its consumer died or lost its
   * connection each time) is dead-lettered instead of delivered again. Default 20.
   */
  deliveryLimit?: number;
  /** AMQP heartbeat interval in seconds, unless the URL sets `heartbeat`. Default 15. */
  heartbeatSeconds?: number;
  /** First reconnect delay after a connection loss, doubled per failed attempt. Default 100 ms. */
  reconnectInitialDelayMs?: number;
  /** Upper bound of the reconnect delay. Default 5000 ms. */
  reconnectMaxDelayMs?: number;
  /**
   * How long a delivery may stay unacknowledged before RabbitMQ closes the consumer's channel,
   * sent as the `x-consumer-timeout` consumer argument (RabbitMQ 3.12+; older servers ignore it
   * and use `consumer_timeout` from rabbitmq.conf, 30 min by default). Acks are sent when a task
   * finishes, so this must exceed the longest task. Default: the server's setting.
   */
  consumerTimeoutMs?: number;
  /**
   * How long RabbitMQ may confirm nothing while a publish waits for its confirm, in ms (default
   * 2000). Past it the waiting sends fail with `BrokerUnavailableError` (503 through `@Accepted()`):
   * RabbitMQ frozen, blocking publishers under a memory or disk alarm, or unreachable without the
   * socket noticing. A large burst whose confirms keep arriving is not cut off.
   */
  confirmTimeoutMs?: number;
  /**
   * How long opening a channel, or one run of declarations or counts, may wait for RabbitMQ at send
   * time and in broker calls, in ms (default 2000).
   */
  commandTimeoutMs?: number;
  /** Shown as the connection name by RabbitMQ (`rabbitmqctl list_connections client_properties`). */
  connectionName?: string;
  /**
   * More nodes of the same RabbitMQ cluster (`amqp://…` / `amqps://…` URLs, credentials included),
   * tried after the `broker` URL. Every connection Celeriac opens (publishing, consuming, control
   * plane and events) dials them round-robin: at start-up until one answers, and after a loss the
   * next one in the list. Use quorum queues (`queueType: 'quorum'`) so the queues survive the node.
   */
  urls?: string[];
}

export type ResolvedAmqpBrokerOptions = Required<Omit<AmqpBrokerOptions, 'consumerTimeoutMs'>> &
  Pick<AmqpBrokerOptions, 'consumerTimeoutMs'>;

const DEFAULTS: ResolvedAmqpBrokerOptions = {
  queueType: 'classic',
  deliveryLimit: 20,
  heartbeatSeconds: 15,
  reconnectInitialDelayMs: 100,
  reconnectMaxDelayMs: 5_000,
  confirmTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
  commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
  connectionName: `celeriac pid ${process.pid}`,
  urls: [],
};

/** Applies defaults and checks each setting; a mistake names the setting, at start. */
export function resolveAmqpOptions(extra: Record<string, unknown> = {}): ResolvedAmqpBrokerOptions {
  const options = { ...DEFAULTS, ...(extra as AmqpBrokerOptions) };
  if (options.queueType !== 'classic' && options.queueType !== 'quorum') {
    throw new TaskDefinitionError(
      `brokerOptions.queueType: "${String(options.queueType)}" is not classic or quorum`,
    );
  }
  wholeNumber('deliveryLimit', options.deliveryLimit, 1);
  wholeNumber('heartbeatSeconds', options.heartbeatSeconds, 0);
  wholeNumber('reconnectInitialDelayMs', options.reconnectInitialDelayMs, 1);
  wholeNumber('reconnectMaxDelayMs', options.reconnectMaxDelayMs, options.reconnectInitialDelayMs);
  wholeNumber('confirmTimeoutMs', options.confirmTimeoutMs, 1);
  wholeNumber('commandTimeoutMs', options.commandTimeoutMs, 1);
  if (options.consumerTimeoutMs !== undefined) wholeNumber('consumerTimeoutMs', options.consumerTimeoutMs, 1);
  if (typeof options.connectionName !== 'string') {
    throw new TaskDefinitionError('brokerOptions.connectionName: must be a string');
  }
  checkUrls(options.urls);
  return options;
}

function checkUrls(urls: unknown): void {
  if (!Array.isArray(urls)) {
    throw new TaskDefinitionError('brokerOptions.urls: must be a list of amqp:// or amqps:// URLs');
  }
  for (const [index, url] of urls.entries()) {
    if (typeof url !== 'string' || !/^amqps?:\/\//.test(url)) {
      throw new TaskDefinitionError(
        `brokerOptions.urls[${index}]: must be an amqp:// or amqps:// URL, got ${typeof url === 'string' ? redactUrl(url) : String(url)}`,
      );
    }
  }
}

function wholeNumber(name: string, value: unknown, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new TaskDefinitionError(
      `brokerOptions.${name}: must be a whole number ≥ ${min}, got ${String(value)}`,
    );
  }
}
