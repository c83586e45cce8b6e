import { amqpPostureWarning } from '../../../lib/brokers/amqp/amqp-posture.js';
import { isLoopbackHost } from '../../../lib/brokers/loopback-host.js';

describe('start-up posture checks', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'api.localhost',
    '127.0.0.1',
    '127.10.0.3',
    '[::1]',
    '::1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each(['10.0.0.5', '192.0.2.2', 'redis.internal', '[fd00::2]', '128.0.0.1', '', 'localhost.example.com'])(
    '%s is not loopback',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );

  it('RabbitMQ: the guest user (named, or implied by a URL without one) towards another host is named', () => {
    for (const url of [
      'amqp://guest:guest@10.0.0.5',
      'amqps://10.0.0.5:5671/vhost',
      'amqp://rabbit.internal',
    ]) {
      expect(amqpPostureWarning(url)).toMatch(
        /^RabbitMQ at [\w.]+:567[12] is used as the default "guest" user over the network: its password is public\. Create a user/,
      );
    }
    expect(amqpPostureWarning('amqp://guest:guest@10.0.0.5')).toContain('10.0.0.5:5672');
    expect(amqpPostureWarning('amqps://guest:guest@10.0.0.5')).toContain('10.0.0.5:5671');
  });

  it('RabbitMQ: guest over loopback, or a user of its own anywhere, says nothing', () => {
    for (const url of ['amqp://guest:guest@127.0.0.1:5672', 'amqp://localhost', 'amqp://app:pw@10.0.0.5']) {
      expect(amqpPostureWarning(url)).toBeUndefined();
    }
  });
});
