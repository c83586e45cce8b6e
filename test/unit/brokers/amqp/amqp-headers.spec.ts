import type { MessagePropertyHeaders } from 'amqplib';
import {
  Header,
  counterHeaders,
  countersOf,
  deadLetterCause,
  deliveryCountOf,
  remainingDelayOf,
} from '../../../../lib/brokers/amqp/amqp-headers.js';

describe('AMQP message headers', () => {
  it('counts a first delivery as 1', () => {
    expect(deliveryCountOf(countersOf(undefined))).toBe(1);
    expect(deliveryCountOf(countersOf({}))).toBe(1);
  });

  it('adds requeues, counted returns and quorum redeliveries', () => {
    const counters = countersOf({ [Header.requeues]: 2, [Header.returns]: 1, 'x-delivery-count': 3 });
    expect(counters).toEqual({ requeues: 2, returns: 4 });
    expect(deliveryCountOf(counters)).toBe(7);
  });

  it('ignores garbage in counter headers', () => {
    expect(countersOf({ [Header.requeues]: 'many', [Header.returns]: -4 })).toEqual({
      requeues: 0,
      returns: 0,
    });
  });

  it('writes only the counters that are set, never what RabbitMQ added', () => {
    expect(counterHeaders({ requeues: 0, returns: 0 })).toEqual({});
    expect(counterHeaders({ requeues: 1, returns: 2 })).toEqual({
      [Header.requeues]: 1,
      [Header.returns]: 2,
    });
  });

  it('reads the remaining delay', () => {
    expect(remainingDelayOf({ [Header.delayRemaining]: 1_500 })).toBe(1_500);
    expect(remainingDelayOf(undefined)).toBe(0);
  });

  it('takes a dead letter reason from its own header first', () => {
    const headers = { [Header.reason]: 'unknown task "x"', [Header.deadAt]: 1_700_000_000_123 };
    expect(deadLetterCause(headers, 20)).toEqual({ reason: 'unknown task "x"', at: 1_700_000_000_123 });
  });

  it("explains RabbitMQ's own dead-lettering from the newest x-death entry", () => {
    const death = (reason: string): MessagePropertyHeaders => ({
      'x-death': [
        { reason, count: 1, queue: 'q', exchange: '', time: { '!': 'timestamp', value: 1_700_000_000 } },
      ] as unknown as MessagePropertyHeaders['x-death'],
    });
    expect(deadLetterCause(death('delivery_limit'), 5)).toEqual({
      reason: 'delivery limit of 5 exceeded (quorum queue)',
      at: 1_700_000_000_000,
    });
    expect(deadLetterCause(death('rejected'), 5).reason).toMatch(/rejected/);
    expect(deadLetterCause(undefined, 5).reason).toMatch(/no reason recorded/);
  });
});
