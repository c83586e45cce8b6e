import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';

/**
 * `work`, or a {@link BrokerUnavailableError} saying `what` got no answer within `ms`. RabbitMQ that
 * is frozen, or blocking publishers under a resource alarm, keeps the socket open and answers
 * nothing: without a deadline the caller would wait until it recovers. The work itself is not
 * cancelled (AMQP cannot take a frame back); its late outcome is ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(
        new BrokerUnavailableError('amqp', new Error(`${what}: no answer from RabbitMQ within ${ms} ms`)),
      );
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Waits for a close (of a channel or a connection) to finish, at most `ms`, and never fails. amqplib
 * sends the close and waits for RabbitMQ's close-ok; when the socket dies at that moment (RabbitMQ
 * stopped, the network cut while the application shuts down) the answer never comes, and a
 * shutdown would wait for ever. What the close would have done RabbitMQ does anyway when the
 * socket goes: it returns unsettled deliveries to their queues.
 */
export async function closeWithin(closing: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([closing.then(noop, noop), deadline]).finally(() => clearTimeout(timer));
}

const noop = (): void => undefined;
