/** Metadata key under which `@Task` stores its options on a method. */
export const TASK_METADATA = 'celeriac:task';
/** DI token of the resolved module options. */
export const CELERIAC_OPTIONS = Symbol('CELERIAC_OPTIONS');
/** DI token of the broker instance. */
export const CELERIAC_BROKER = Symbol('CELERIAC_BROKER');
/** DI token of the result backend instance. */
export const CELERIAC_BACKEND = Symbol('CELERIAC_BACKEND');
/** DI token of the scheduler's clock (tests override it with a fake one). */
export const CELERIAC_CLOCK = Symbol('CELERIAC_CLOCK');

/** Queue used by a task that names none. */
export const DEFAULT_QUEUE = 'default';
/** Results and states are kept this long unless configured otherwise (Celery's `result_expires`). */
export const DEFAULT_RESULT_TTL_MS = 24 * 60 * 60 * 1000;
/** Default concurrency of an `async` pool. */
export const DEFAULT_ASYNC_CONCURRENCY = 100;
/** Largest encoded envelope a producer may publish, in bytes. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/**
 * What a consumer accepts beyond `maxPayloadBytes` by default: a retry re-encodes its envelope
 * (retries, eta) without the send-side check, so a message sent near the limit may come back a few
 * bytes over it.
 */
export const RECEIVE_LIMIT_SLACK_BYTES = 4 * 1024;
/** How much of an oversized message's body its dead-letter copy keeps. */
export const DEAD_LETTER_BODY_PREFIX_BYTES = 1024;
/** A sent task's queue with no consumer this long after a send gets a warning on the sender's side. */
export const DEFAULT_UNCONSUMED_QUEUE_WARNING_MS = 30_000;
/** Grace period for in-flight tasks when the worker shuts down. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** A message delivered this many times without an outcome is dead-lettered as poison. */
export const DEFAULT_MAX_DELIVERIES = 5;
/**
 * How long a call to a broker or result backend (a Redis command, an AMQP publish confirm or channel
 * operation) may wait for its answer before it fails with `BrokerUnavailableError`.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** How many dead letters `Broker.deadLetters()` returns when no limit is given. */
export const DEFAULT_DEAD_LETTER_READ_LIMIT = 100;
/** Priorities run from 0 (lowest) to 9 (highest), as RabbitMQ orders them. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
export const DEFAULT_PRIORITY = 0;
