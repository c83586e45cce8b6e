import { Logger } from '@nestjs/common';
import type { CeleriacEvent } from '../../../lib/control/celeriac-event.js';
import type { EventBus } from '../../../lib/control/event-bus.interface.js';
import { EventPublisher } from '../../../lib/control/event-publisher.js';

/** A bus that records each publish call (one batch each) and can be made to fail. */
function recordingBus(): EventBus & { batches: CeleriacEvent[][]; down: boolean } {
  const bus = {
    kind: 'recording',
    batches: [] as CeleriacEvent[][],
    down: false,
    connect: () => Promise.resolve(),
    publish(events: readonly CeleriacEvent[]) {
      if (bus.down) return Promise.reject(new Error('bus down'));
      bus.batches.push([...events]);
      return Promise.resolve();
    },
    subscribe: () => Promise.resolve(() => Promise.resolve()),
    close: () => Promise.resolve(),
  };
  return bus;
}

const event = (id: string) => ({ type: 'task-started' as const, id, queue: 'q', at: Date.now() });

describe('EventPublisher', () => {
  it('sends the events of one turn in one batch, stamped with origin and a growing sequence', async () => {
    const bus = recordingBus();
    const publisher = new EventPublisher(() => Promise.resolve(bus), new Logger('test'));
    for (let i = 0; i < 50; i++) publisher.task(event(`t${i}`));
    await publisher.flush();
    expect(bus.batches).toHaveLength(1);
    expect(bus.batches[0].map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(bus.batches[0][0]).toMatchObject({ pid: process.pid, id: 't0' });
    publisher.task(event('next'));
    await publisher.flush();
    expect(bus.batches).toHaveLength(2);
  });

  it('stamps the event it is given in place: the batch carries that same object, not a copy', async () => {
    const bus = recordingBus();
    const publisher = new EventPublisher(() => Promise.resolve(bus), new Logger('test'));
    const given = event('same');
    publisher.task(given);
    expect(given).toMatchObject({ pid: process.pid, seq: 1 });
    await publisher.flush();
    expect(bus.batches[0][0]).toBe(given);
  });

  it('a batch that failed goes back in front of the events queued while it was in flight', async () => {
    const bus = recordingBus();
    const logger = new Logger('test');
    logger.warn = () => undefined;
    logger.log = () => undefined;
    let failOnce: (() => void) | undefined;
    const publish = bus.publish.bind(bus);
    bus.publish = (events) => {
      if (!failOnce) return publish(events);
      const fail = failOnce;
      failOnce = undefined;
      return new Promise((_, reject) => {
        fail();
        reject(new Error('bus down'));
      });
    };
    const publisher = new EventPublisher(() => Promise.resolve(bus), logger);
    failOnce = () => publisher.task(event('during'));
    publisher.task(event('first'));
    await publisher.flush();
    await publisher.flush();
    expect(bus.batches.flat().map((e) => 'id' in e && e.id)).toEqual(['first', 'during']);
    expect(bus.batches.flat().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps events while the bus is down and sends them, in order, once it is back', async () => {
    const bus = recordingBus();
    const logger = new Logger('test');
    logger.warn = () => undefined;
    logger.log = () => undefined;
    const publisher = new EventPublisher(() => Promise.resolve(bus), logger);
    bus.down = true;
    publisher.task(event('a'));
    await publisher.flush();
    publisher.task(event('b'));
    await publisher.flush();
    expect(bus.batches).toEqual([]);
    bus.down = false;
    await publisher.flush();
    expect(bus.batches.flat().map((e) => 'id' in e && e.id)).toEqual(['a', 'b']);
  });
});
