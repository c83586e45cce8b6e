import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../celeriac.constants.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import type { RedisExtraOptions } from './redis-options.js';

/** ioredis' own default for opening the socket. */
const IOREDIS_CONNECT_TIMEOUT_MS = 10_000;

/** `commandTimeoutMs` after its default; a value that is not a positive number names the setting. */
export function commandTimeoutOf(extra: RedisExtraOptions): number {
  const value = extra.commandTimeoutMs ?? extra.redisOptions?.commandTimeout;
  if (value === undefined) return DEFAULT_COMMAND_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `Redis option "commandTimeoutMs" must be a positive number of ms (got ${String(value)})`,
    );
  }
  return value;
}

/**
 * Who ends a blocking read Redis leaves unanswered: ioredis (with no reply, as Redis would), or the
 * caller, which times the read itself and keeps it pending, so a reply that comes late (a frozen
 * server thawing) still reaches it; ioredis would drop a reply that comes after its deadline.
 */
export type ReadDeadline = 'ioredis' | 'caller';

/**
 * The deadline of each command on a connection. Command and subscriber connections give every
 * command `commandTimeoutMs`: a frozen server (SIGSTOP, a hung host: the socket stays open, nothing
 * answers) fails the call instead of hanging it. A blocking read waits on purpose, so a blocking
 * connection's reads get their own deadline instead: the time they asked Redis to block, plus
 * `commandTimeoutMs` of margin; past it ioredis ends the read with no reply, as Redis would. With
 * `readDeadline: 'caller'` ioredis sets none, and the margin is only there for the caller to read.
 */
export function deadlineOptions(
  extra: RedisExtraOptions,
  blocking: boolean,
  readDeadline: ReadDeadline = 'ioredis',
): RedisOptions {
  const timeoutMs = commandTimeoutOf(extra);
  if (!blocking) return { commandTimeout: timeoutMs };
  const blockingTimeout = readDeadline === 'ioredis' ? timeoutMs : undefined;
  return { commandTimeout: undefined, blockingTimeout, blockingTimeoutGrace: timeoutMs };
}

/**
 * How long opening a connection may take: the socket (ioredis' `connectTimeout`), then the
 * handshake (AUTH, SELECT, the ready check), which a frozen server accepts into its backlog and
 * never answers. Read from the client's own options, whatever role it has.
 */
export function connectDeadlineOf(options: RedisOptions): number {
  const handshake =
    options.commandTimeout ??
    options.blockingTimeout ??
    options.blockingTimeoutGrace ??
    DEFAULT_COMMAND_TIMEOUT_MS;
  return (options.connectTimeout ?? IOREDIS_CONNECT_TIMEOUT_MS) + handshake;
}

/** The margin a blocking connection's reads get beyond the time they block, in ms. */
export function blockingMarginOf(client: Redis | Cluster): number {
  const options = client instanceof Cluster ? (client.options.redisOptions ?? {}) : client.options;
  return options.blockingTimeoutGrace ?? DEFAULT_COMMAND_TIMEOUT_MS;
}
