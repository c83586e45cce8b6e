import { resolveAmqpOptions } from '../../../../lib/brokers/amqp/amqp-broker.options.js';
import { TaskDefinitionError } from '../../../../lib/errors/task-definition.error.js';

describe('AMQP broker options', () => {
  it('defaults to classic queues with a delivery limit of 20', () => {
    expect(resolveAmqpOptions()).toMatchObject({
      queueType: 'classic',
      deliveryLimit: 20,
      heartbeatSeconds: 15,
    });
  });

  it('gives publish confirms and channel operations a 2 s deadline unless told otherwise', () => {
    expect(resolveAmqpOptions()).toMatchObject({ confirmTimeoutMs: 2_000, commandTimeoutMs: 2_000 });
    expect(resolveAmqpOptions({ confirmTimeoutMs: 5_000 })).toMatchObject({ confirmTimeoutMs: 5_000 });
    expect(() => resolveAmqpOptions({ confirmTimeoutMs: 0 })).toThrow(/brokerOptions\.confirmTimeoutMs/);
    expect(() => resolveAmqpOptions({ commandTimeoutMs: 1.5 })).toThrow(/brokerOptions\.commandTimeoutMs/);
  });

  it('accepts quorum queues with an explicit delivery limit', () => {
    expect(resolveAmqpOptions({ queueType: 'quorum', deliveryLimit: 3 })).toMatchObject({
      queueType: 'quorum',
      deliveryLimit: 3,
    });
  });

  it('names the setting that is wrong', () => {
    expect(() => resolveAmqpOptions({ queueType: 'stream' })).toThrow(TaskDefinitionError);
    expect(() => resolveAmqpOptions({ queueType: 'stream' })).toThrow(/brokerOptions\.queueType/);
    expect(() => resolveAmqpOptions({ deliveryLimit: 0 })).toThrow(/brokerOptions\.deliveryLimit/);
    expect(() => resolveAmqpOptions({ consumerTimeoutMs: -1 })).toThrow(/brokerOptions\.consumerTimeoutMs/);
    expect(() => resolveAmqpOptions({ reconnectInitialDelayMs: 500, reconnectMaxDelayMs: 100 })).toThrow(
      /reconnectMaxDelayMs/,
    );
  });

  it('takes more nodes of a cluster as brokerOptions.urls, and names a URL that is not AMQP', () => {
    expect(resolveAmqpOptions().urls).toEqual([]);
    const urls = ['amqp://guest:guest@10.0.0.2:5672', 'amqps://app:pw@10.0.0.3'];
    expect(resolveAmqpOptions({ urls }).urls).toEqual(urls);
    expect(() => resolveAmqpOptions({ urls: 'amqp://a' })).toThrow(/brokerOptions\.urls: must be a list/);
    expect(() => resolveAmqpOptions({ urls: ['amqp://a', 'redis://:pw@b'] })).toThrow(
      /brokerOptions\.urls\[1\]: must be an amqp:\/\/ or amqps:\/\/ URL, got redis:\/\/:\*\*\*@b/,
    );
    expect(() => resolveAmqpOptions({ urls: [42] })).toThrow(/brokerOptions\.urls\[0\]/);
  });
});
