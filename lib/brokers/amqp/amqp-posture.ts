import { isLoopbackHost } from '../loopback-host.js';

/**
 * The start-up warning an AMQP URL deserves, if any: the default `guest` user (also what amqplib
 * logs in as when the URL names no user) towards a host that is not loopback. RabbitMQ lets `guest`
 * in only over loopback unless `loopback_users` was changed; its password is public.
 */
export function amqpPostureWarning(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const user = parsed.username ? decodeURIComponent(parsed.username) : 'guest';
  if (user !== 'guest' || isLoopbackHost(parsed.hostname)) return undefined;
  const port = parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672');
  return (
    `RabbitMQ at ${parsed.hostname}:${port} is used as the default "guest" user over the network: its password ` +
    'is public. Create a user of your own (rabbitmqctl add_user) and put it in the URL (amqp://user:password@host).'
  );
}
