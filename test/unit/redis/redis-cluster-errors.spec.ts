import { ReplyError } from 'ioredis';
import { BrokerUnavailableError } from '../../../lib/index.js';
import { toBrokerError } from '../../../lib/redis/redis-client.js';

/** ioredis' ReplyError (redis-errors), typed loosely by its package. */
const replyError = (message: string): Error =>
  new (ReplyError as unknown as new (message: string) => Error)(message);

describe('Redis replies during a cluster failover', () => {
  it.each([
    'MOVED 9261 127.0.0.1:40345',
    'ASK 804 127.0.0.1:46559',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
  ])('%s: refused unrun, so BrokerUnavailableError (a send may be retried under the same id)', (reply) => {
    const error = toBrokerError(replyError(reply));
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error.cause as Error).message).toContain(reply);
  });

  it('any other reply error is reported as it is', () => {
    const reply = replyError('ERR unknown command');
    expect(toBrokerError(reply)).toBe(reply);
    const moved = replyError('ERR MOVED is not a prefix here');
    expect(toBrokerError(moved)).toBe(moved);
  });
});
