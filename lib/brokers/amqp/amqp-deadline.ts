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
