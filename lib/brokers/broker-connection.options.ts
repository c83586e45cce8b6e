/** What every broker and backend factory receives. */
export interface ConnectionOptions {
  /** `memory://`, `redis://…`, `rediss://…`, `amqp://…`, `amqps://…`. */
  url: string;
  /**
   * Namespace for every key, queue and exchange name, so several applications (or tests)
   * share one server without seeing each other's messages. Default `celeriac`.
   */
  prefix: string;
  /** Implementation-specific settings, typed by each implementation. */
  extra?: Record<string, unknown>;
}
