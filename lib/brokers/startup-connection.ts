import { BrokerAuthenticationError } from '../errors/broker-authentication.error.js';
import { BrokerUnavailableError } from '../errors/broker-unavailable.error.js';
import { BrokerUnreachableError } from '../errors/broker-unreachable.error.js';
import { redactUrl, schemeOf } from './broker-url.js';

const DEFAULT_PORTS: Record<string, number> = { redis: 6379, rediss: 6379, amqp: 5672, amqps: 5671 };

/**
 * Opens a broker or backend connection at start-up. A failure becomes a
 * {@link BrokerUnreachableError} saying where the connection went, why it failed and which
 * setting to check — instead of, say, ioredis's bare "Connection is closed".
 */
export async function connectAtStartup(
  role: 'broker' | 'result backend',
  url: string,
  connect: () => Promise<void>,
): Promise<void> {
  try {
    await connect();
  } catch (error) {
    if (!(error instanceof BrokerUnavailableError)) throw error;
    const scheme = schemeOf(url);
    const parsed = new URL(url);
    const shown = redactUrl(url);
    const target = {
      role,
      url: shown,
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[scheme] ?? 0),
      setting:
        role === 'broker'
          ? 'BROKER_URL (CeleriacModule.forRoot({ broker }))'
          : 'RESULT_URL (CeleriacModule.forRoot({ backend }))',
    };
    const reason = rootReason(error, shown);
    if (AUTHENTICATION_REFUSED.test(reason)) throw new BrokerAuthenticationError(target, reason, error);
    throw new BrokerUnreachableError(target, reason, error);
  }
}

/**
 * How servers say they refused the credentials: Redis `WRONGPASS` (bad password or user), `NOAUTH`
 * (a password is required), `ERR invalid password` (Redis before 6), RabbitMQ `ACCESS_REFUSED`.
 */
const AUTHENTICATION_REFUSED = /^(WRONGPASS|NOAUTH)\b|invalid password|ACCESS[-_]REFUSED/;

/** The innermost cause's message, without the URL a client may have put in front, passwords hidden. */
function rootReason(error: Error, shownUrl: string): string {
  // Duck-typed: errors raised by Node's sockets may come from another realm (as under jest's VM).
  let deepest: { message?: unknown; cause?: unknown } = error;
  while (isErrorLike(deepest.cause)) deepest = deepest.cause;
  return redactUrl(String(deepest.message))
    .replace(`${shownUrl}: `, '')
    .replace(/^Error: /, '')
    .replace(/\.$/, '');
}

function isErrorLike(value: unknown): value is { message: string; cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
