import type { CeleriacLoggerOption } from '../logging/celeriac-logger.js';
import type { QueueProtocols } from '../protocol/queue-protocol.js';
import type { TlsOptions } from './tls-options.js';

/** What every broker and backend factory receives. */
export interface ConnectionOptions {
  /** `memory://`, `redis://…`, `rediss://…`, `amqp://…`, `amqps://…`. */
  url: string;
  /**
   * Namespace for every key, queue and exchange name, so several applications (or tests)
   * share one server without seeing each other's messages. Default `celeriac`.
   */
  prefix: string;
  /**
   * Queues in a foreign wire mode (`{ legacy: 'celery' }`): a broker lays them out and names them as
   * that system does, and their messages are not Celeriac envelopes. Unlisted queues are Celeriac's.
   */
  protocols?: QueueProtocols;
  /** TLS settings for `rediss://` / `amqps://` (CA, client certificate and key), shared by every client. */
  tls?: TlsOptions;
  /**
   * Largest message body a consumer accepts, in bytes. A larger one is dead-lettered at receipt,
   * unread: its dead-letter copy keeps the first bytes of the body, its size and its headers.
   * Absent: no limit.
   */
  maxReceiveBytes?: number;
  /** Implementation-specific settings, typed by each implementation. */
  extra?: Record<string, unknown>;
  /** Where the part's own lines go (the module's `logger` option); unset, Nest's `Logger`. */
  logger?: CeleriacLoggerOption;
}
