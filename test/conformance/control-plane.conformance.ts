import { randomUUID } from 'node:crypto';
import type { CeleriacEvent } from '../../lib/control/celeriac-event.js';
import { ControlClient } from '../../lib/control/control-client.js';
import { CONTROL_PROTOCOL_VERSION, decodeControlRequest } from '../../lib/control/control-message.js';
import type { ControlPlane } from '../../lib/control/control-plane.js';
import { BrokerUnavailableError } from '../../lib/errors/broker-unavailable.error.js';
import { ControlTimeoutError } from '../../lib/errors/control-timeout.error.js';
import { Collector, sleep, within } from './conformance-helpers.js';

/** Makes an unconnected control plane under `prefix`; the suite connects and closes it. */
export type ControlPlaneFactory = (prefix: string) => Promise<ControlPlane> | ControlPlane;

/** How long a test watches for a message that must NOT arrive. */
const QUIET_MS = 300;

function taskEvent(n: number, id = `t${n}`): CeleriacEvent {
  return {
    type: 'task-started',
    id,
    task: 'T.run',
    queue: 'q',
    at: Date.now(),
    hostname: 'h',
    pid: 1,
    seq: n,
  };
}

/**
 * The behaviour every control plane must show — its control channel (broadcast to listeners,
 * replies to inboxes, gathered by a {@link ControlClient}) and its event bus — as jest `describe`
 * blocks. Each test uses its own random prefix, so the suites can share one server.
 */
export function describeControlPlaneConformance(name: string, makePlane: ControlPlaneFactory): void {
  let prefix: string;
  let planes: ControlPlane[];

  beforeEach(() => {
    prefix = `celeriac-conformance-${randomUUID()}`;
    planes = [];
  });

  afterEach(async () => {
    await Promise.allSettled(planes.map((plane) => plane.close()));
  });

  /** One plane per simulated process. */
  async function open(withPrefix = prefix): Promise<ControlPlane> {
    const plane = await makePlane(withPrefix);
    planes.push(plane);
    await plane.connect();
    return plane;
  }

  describe(`Control channel conformance: ${name}`, () => {
    it('broadcasts to every listener of the prefix, in every process, and to no other prefix', async () => {
      const [a, b, sender, stranger] = [
        await open(),
        await open(),
        await open(),
        await open(`other-${prefix}`),
      ];
      const [heardA, heardB, heardStranger] = [
        new Collector<string>(),
        new Collector<string>(),
        new Collector<string>(),
      ];
      await a.control.listen(heardA.push);
      await b.control.listen(heardB.push);
      await stranger.control.listen(heardStranger.push);

      await sender.control.broadcast('one');
      await sender.control.broadcast('two');
      expect(await heardA.waitFor(2)).toEqual(['one', 'two']);
      expect(await heardB.waitFor(2)).toEqual(['one', 'two']);
      await sleep(QUIET_MS);
      expect(heardStranger.values).toEqual([]);
    });

    it('carries any text unchanged, garbage included: judging it is the receiver’s job', async () => {
      const [worker, sender] = [await open(), await open()];
      const heard = new Collector<string>();
      await worker.control.listen(heard.push);
      const texts = ['not json {', '', '{"v":99}', 'ünïcödé ✓'];
      for (const text of texts) await sender.control.broadcast(text);
      expect(await heard.waitFor(texts.length)).toEqual(texts);
    });

    it('sends a reply to one inbox only, and drops what is sent to a closed inbox', async () => {
      const [requester, other, worker] = [await open(), await open(), await open()];
      const [mine, theirs] = [new Collector<string>(), new Collector<string>()];
      const inbox = await requester.control.openInbox(mine.push);
      const otherInbox = await other.control.openInbox(theirs.push);
      expect(inbox.address).not.toBe(otherInbox.address);

      await worker.control.send(inbox.address, 'for you');
      expect(await mine.waitFor(1)).toEqual(['for you']);
      await inbox.close();
      await worker.control.send(inbox.address, 'too late');
      await sleep(QUIET_MS);
      expect(mine.values).toEqual(['for you']);
      expect(theirs.values).toEqual([]);
    });

    it('stops calling a listener once it unsubscribed', async () => {
      const [worker, sender] = [await open(), await open()];
      const [kept, dropped] = [new Collector<string>(), new Collector<string>()];
      await worker.control.listen(kept.push);
      const unsubscribe = await worker.control.listen(dropped.push);
      await sender.control.broadcast('first');
      await dropped.waitFor(1);
      await unsubscribe();
      await sender.control.broadcast('second');
      expect(await kept.waitFor(2)).toEqual(['first', 'second']);
      await sleep(QUIET_MS);
      expect(dropped.values).toEqual(['first']);
    });

    it('gathers the replies of every responder within the timeout, and names a worker that is gone', async () => {
      const [caller, one, two] = [await open(), await open(), await open()];
      for (const [plane, worker] of [
        [one, 'worker-1'],
        [two, 'worker-2'],
      ] as const) {
        await plane.control.listen((text) => {
          const request = decodeControlRequest(text);
          const reply = {
            v: CONTROL_PROTOCOL_VERSION,
            requestId: request.id,
            worker,
            ok: true,
            value: request.args,
          };
          if (!request.destination || request.destination.includes(worker)) {
            void plane.control.send(request.replyTo!, JSON.stringify(reply));
          }
        });
      }
      const client = new ControlClient(caller.control, 1_500);
      try {
        const replies = await client.call('echo', { n: 1 }, { limit: 2 });
        expect(replies.map((reply) => reply.worker).sort()).toEqual(['worker-1', 'worker-2']);
        expect(replies[0]).toMatchObject({ ok: true, value: { n: 1 } });

        expect(await client.call('echo', { n: 2 }, { destination: 'worker-2' })).toEqual([
          { worker: 'worker-2', ok: true, value: { n: 2 } },
        ]);
        const gone = client.call('echo', {}, { destination: ['worker-1', 'worker-9'], timeoutMs: 500 });
        await expect(gone).rejects.toThrow(ControlTimeoutError);
        await expect(gone).rejects.toThrow(/no reply from "worker-9" within 500 ms/);
      } finally {
        await client.close();
      }
    });

    it('is closed for good by close(), which may be called twice', async () => {
      const plane = await open();
      await plane.close();
      await plane.close();
      await expect(plane.control.broadcast('x')).rejects.toThrow(BrokerUnavailableError);
    });
  });

  describe(`Event bus conformance: ${name}`, () => {
    it('gives every subscriber every batch published after it subscribed, in publishing order', async () => {
      const [a, b, publisher] = [await open(), await open(), await open()];
      await publisher.events.publish([taskEvent(0, 'before')]);
      const [heardA, heardB] = [new Collector<CeleriacEvent[]>(), new Collector<CeleriacEvent[]>()];
      await a.events.subscribe(heardA.push);
      await b.events.subscribe(heardB.push);

      const batches = Array.from({ length: 200 }, (_, n) => [taskEvent(2 * n + 1), taskEvent(2 * n + 2)]);
      await Promise.all(batches.map((batch) => publisher.events.publish(batch)));
      for (const heard of [heardA, heardB]) {
        const seen = (await heard.waitFor(batches.length)).flat();
        expect(seen.map((event) => event.seq)).toEqual(batches.flat().map((event) => event.seq));
        expect(seen[0]).toEqual(batches[0][0]);
      }
    });

    it('shares one subscription among listeners of a bus and stops a listener that unsubscribed', async () => {
      const [bus, publisher] = [await open(), await open()];
      const [kept, dropped] = [new Collector<CeleriacEvent[]>(), new Collector<CeleriacEvent[]>()];
      await bus.events.subscribe(kept.push);
      const unsubscribe = await bus.events.subscribe(dropped.push);
      await publisher.events.publish([taskEvent(1)]);
      await dropped.waitFor(1);
      await unsubscribe();
      await publisher.events.publish([taskEvent(2)]);
      expect((await kept.waitFor(2)).flat().map((event) => event.seq)).toEqual([1, 2]);
      await sleep(QUIET_MS);
      expect(dropped.values).toHaveLength(1);
    });

    it('keeps prefixes apart', async () => {
      const [mine, stranger] = [await open(), await open(`other-${prefix}`)];
      const heard = new Collector<CeleriacEvent[]>();
      await stranger.events.subscribe(heard.push);
      await mine.events.publish([taskEvent(1)]);
      await sleep(QUIET_MS);
      expect(heard.values).toEqual([]);
    });

    it('resolves subscribe only once live: a batch published right after it is seen', async () => {
      const [bus, publisher] = [await open(), await open()];
      for (let round = 0; round < 5; round++) {
        const heard = new Collector<CeleriacEvent[]>();
        const unsubscribe = await bus.events.subscribe(heard.push);
        await publisher.events.publish([taskEvent(round)]);
        await within(heard.waitFor(1), `round ${round}`);
        await unsubscribe();
      }
    });
  });
}
