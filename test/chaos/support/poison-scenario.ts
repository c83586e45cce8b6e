import type { INestApplicationContext } from '@nestjs/common';
import { CeleriacRuntime, type TaskClient, TaskState } from '../../../lib/index.js';
import { eventually } from '../../integration/redis/support/wait.js';
import type { ChaosRig } from './chaos-rig.js';
import { sendLoad } from './load.js';
import { POISON_QUEUES, PoisonTasks } from './poison-tasks.js';
import { expectClean } from './verdict.js';

export interface PoisonScenario {
  rig: ChaosRig;
  producer: INestApplicationContext;
  client: TaskClient;
  /** Name of the scenario in the verdict. */
  scenario: string;
  /** Tasks of load sent beside the poison. */
  count: number;
  /** The poison worker's delivery limit: the message that killed it that many times is poison. */
  maxDeliveries: number;
  /** How long the queues must stay empty for the drain to count as done. */
  settleMs: number;
}

/**
 * Poison during load, the same on every broker: a task that SIGKILLs its `processes` pool child,
 * and one that SIGKILLs its own `solo` worker (served by a worker of its own, started again after
 * each death as a supervisor would). The child's death fails its task once; the worker's is
 * dead-lettered and recorded FAILURE after `maxDeliveries` deaths without running again; the load
 * beside them runs once each.
 */
export async function expectPoisonContained(options: PoisonScenario): Promise<void> {
  const { rig, producer, client, count, maxDeliveries } = options;
  const ledger = rig.newLedger();
  const runtime = producer.get(CeleriacRuntime);
  let poisonWorker = await rig.startWorker({ maxDeliveries }, [POISON_QUEUES.poison]);
  const load = sendLoad(client, ledger, { count });
  await rig.whenFinished(count / 4);
  const [child, worker] = await Promise.all([
    client.send(PoisonTasks, 'crashChild', []),
    client.send(PoisonTasks, 'crashWorker', []),
  ]);
  for (let death = 0; death < maxDeliveries; death++) {
    await poisonWorker.exit();
    rig.workers.splice(rig.workers.indexOf(poisonWorker), 1);
    poisonWorker = await rig.startWorker({ maxDeliveries }, [POISON_QUEUES.poison], { mayDieAtOnce: true });
  }
  await load;
  const [childRecord, workerRecord] = await Promise.all([
    child.waitForRecord({ timeout: 30_000 }),
    worker.waitForRecord({ timeout: 30_000 }),
  ]);
  await rig.drain(60_000, options.settleMs);

  // The load's workers never died: not one second run.
  expectClean(ledger, options.scenario, 0);
  expect(ledger.check().duplicated).toEqual([]);
  // A child's death is the task's failure, once: the pool replaced the child, no redelivery.
  expect(childRecord).toMatchObject({ state: TaskState.FAILURE, error: { name: 'PoolChildError' } });
  expect(childRecord.error?.message).toMatch(/killed by SIGKILL/);
  expect(ledger.runsOf(child.id)).toHaveLength(1);
  // The worker's: delivered maxDeliveries times, each ending in a dead worker, then refused unrun.
  const reason = `delivered ${maxDeliveries + 1} times without an outcome`;
  expect(workerRecord).toMatchObject({ state: TaskState.FAILURE, error: { name: 'PoisonMessageError' } });
  expect(workerRecord.error?.message).toContain(reason);
  expect(ledger.runsOf(worker.id)).toHaveLength(maxDeliveries);
  const letter = await eventually('the poison dead letter', async () =>
    (await runtime.broker.deadLetters(POISON_QUEUES.poison, 100)).find(
      (entry) => entry.messageId === worker.id,
    ),
  );
  expect(letter.reason).toContain(reason);
  expect(poisonWorker.alive).toBe(true);
}
