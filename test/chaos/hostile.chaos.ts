import type { INestApplicationContext } from '@nestjs/common';
import type { DeadLetter } from '../../lib/brokers/broker.interface.js';
import { CeleriacRuntime, PROTOCOL_VERSION, TaskClient, type TaskEnvelope } from '../../lib/index.js';
import { eventually } from '../conformance/conformance-helpers.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import { sendLoad, startProducer } from './support/load.js';
import { expectClean } from './support/verdict.js';

const LEASE_MS = 2_000;
/** A duplicate is explained if its first run overlapped a fault, give or take a lease. */
const SLACK_MS = LEASE_MS * 2;
const DEADLINE_MS = 500;
const FREEZE_MS = 3_000;
const COUNT = 200;
const QUEUE = 'io';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Faults that are not a crash, under load, on a Redis of this file's own: Redis frozen (SIGSTOP,
 * sockets open, nothing answers) and thawed, and messages no Celeriac producer would send pushed
 * straight into the queue beside the good ones. Two worker processes, a producer in this process
 * that retries a refused send under the same id, and a ledger of every task.
 */
describe('chaos: a frozen Redis and hostile messages', () => {
  let server: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;

  beforeAll(async () => {
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    const deadlines = { commandTimeoutMs: DEADLINE_MS, checkConfig: false };
    rig = new ChaosRig({
      broker: server.url,
      queues: { [QUEUE]: { pool: 'async', concurrency: 20 } },
      brokerOptions: { ...deadlines, leaseMs: LEASE_MS },
      backendOptions: deadlines,
    });
    await Promise.all([rig.startWorker(), rig.startWorker()]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await server?.stop();
  });

  it(`loses nothing when Redis is frozen (SIGSTOP) for ${FREEZE_MS / 1000} s under load and thawed`, async () => {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    await ledger.fault('redis SIGSTOP', async () => {
      server.pause();
      try {
        await sleep(FREEZE_MS);
      } finally {
        server.resume();
      }
    });
    await load;
    await rig.drain(60_000, LEASE_MS);
    expectClean(ledger, 'redis SIGSTOP', SLACK_MS);
  });

  it('runs every good task and dead-letters oversized, prototype-polluting, unparsable and unknown-task messages pushed in during load', async () => {
    const ledger = rig.newLedger();
    const broker = producer.get(CeleriacRuntime).broker;
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    const stamp = Date.now();
    const hostile: { id: string; body: string; reason: RegExp }[] = [
      {
        id: `big-${stamp}`,
        body: JSON.stringify(envelopeOf(`big-${stamp}`, 'ChaosTasks.io', [10, 'x'.repeat(2 * 1024 * 1024)])),
        reason: /exceeds maxReceiveBytes/,
      },
      {
        id: `proto-${stamp}`,
        // Raw JSON text: an object literal could not carry an own __proto__ key.
        body: JSON.stringify(envelopeOf(`proto-${stamp}`, 'ChaosTasks.io', [10])).replace(
          '"kwargs":{}',
          '"kwargs":{"__proto__":{"polluted":"yes"}}',
        ),
        reason: /forbidden key at envelope\.kwargs\.__proto__/,
      },
      { id: `json-${stamp}`, body: '{"v":2,"id":"json-', reason: /body is not JSON/ },
      {
        id: `unknown-${stamp}`,
        body: JSON.stringify(envelopeOf(`unknown-${stamp}`, 'ChaosTasks.nothingHere', [])),
        reason: /ChaosTasks\.nothingHere/,
      },
    ];
    await ledger.fault('hostile messages', async () => {
      for (const message of hostile) await broker.publish(QUEUE, message.body, { messageId: message.id });
    });
    await load;
    await rig.drain(60_000, LEASE_MS);
    // The hostile ids were never sent through the ledger: had one run, it would count as unexpected.
    expectClean(ledger, 'hostile messages', SLACK_MS);
    for (const message of hostile) {
      const letter = await deadLetterOf(broker.deadLetters.bind(broker), message.id);
      expect(letter.reason).toMatch(message.reason);
    }
    // The oversized letter keeps a bounded prefix of its body, not the 2 MB.
    const big = await deadLetterOf(broker.deadLetters.bind(broker), hostile[0].id);
    expect(Buffer.byteLength(big.body)).toBeLessThanOrEqual(1024);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

/** A valid envelope of `task` on the chaos queue, as a raw producer would write it. */
function envelopeOf(id: string, task: string, args: unknown[]): TaskEnvelope {
  return {
    v: PROTOCOL_VERSION,
    id,
    task,
    queue: QUEUE,
    args: args as TaskEnvelope['args'],
    kwargs: {},
    retries: 0,
    createdAt: Date.now(),
    rootId: id,
  };
}

function deadLetterOf(
  deadLetters: (queue: string, limit: number) => Promise<DeadLetter[]>,
  messageId: string,
): Promise<DeadLetter> {
  return eventually(`a dead letter for ${messageId}`, async () =>
    (await deadLetters(QUEUE, 1_000)).find((letter) => letter.messageId === messageId),
  );
}
