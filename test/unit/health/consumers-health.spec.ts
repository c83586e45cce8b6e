import type { CeleriacRuntime } from '../../../lib/celeriac.runtime.js';
import { CeleriacHealth } from '../../../lib/health/celeriac-health.js';
import { consumersHealth } from '../../../lib/health/consumers-health.js';
import type { CeleriacWorker, WorkerConsumers } from '../../../lib/worker/celeriac.worker.js';

function workerSaying(id: string | undefined, consumers: WorkerConsumers): CeleriacWorker {
  return { id, consumers: () => consumers } as unknown as CeleriacWorker;
}

const alive = { alive: true } as const;

describe('consumersHealth', () => {
  it('has nothing to say on a node without workers', () => {
    expect(consumersHealth([])).toBeUndefined();
  });

  it("is up while every consumed queue's consumer receives", () => {
    const worker = workerSaying('w1', {
      phase: 'consuming',
      queues: [
        { queue: 'a', liveness: alive },
        { queue: 'b', liveness: alive },
      ],
    });
    expect(consumersHealth([worker])).toEqual({
      status: 'up',
      queues: [
        { queue: 'a', worker: 'w1', status: 'up' },
        { queue: 'b', worker: 'w1', status: 'up' },
      ],
    });
  });

  it('is down with each reason when a consumer was cut, however many others are fine', () => {
    const fine = workerSaying('w1', { phase: 'consuming', queues: [{ queue: 'a', liveness: alive }] });
    const cut = workerSaying('w2', {
      phase: 'consuming',
      queues: [
        { queue: 'b', liveness: { alive: false, reason: 'channel closed; cannot resume: NOT_FOUND' } },
        { queue: 'c', liveness: { alive: false, reason: 'cannot fetch: ECONNREFUSED' } },
      ],
    });
    expect(consumersHealth([fine, cut])).toEqual({
      status: 'down',
      queues: [
        { queue: 'a', worker: 'w1', status: 'up' },
        { queue: 'b', worker: 'w2', status: 'down', error: 'channel closed; cannot resume: NOT_FOUND' },
        { queue: 'c', worker: 'w2', status: 'down', error: 'cannot fetch: ECONNREFUSED' },
      ],
      error: 'queue "b": channel closed; cannot resume: NOT_FOUND; queue "c": cannot fetch: ECONNREFUSED',
    });
  });

  it('counts a worker still starting or already shutting down as down', () => {
    const starting = workerSaying(undefined, { phase: 'starting', queues: [] });
    expect(consumersHealth([starting])).toEqual({
      status: 'down',
      queues: [],
      error: 'a worker is not consuming yet',
    });
    const closing = workerSaying('w3', { phase: 'closing', queues: [{ queue: 'a', liveness: alive }] });
    expect(consumersHealth([closing])?.error).toBe('w3 is shutting down');
  });
});

describe('CeleriacHealth with workers', () => {
  function healthOf(workers: CeleriacWorker[]): CeleriacHealth {
    const runtime = {
      broker: { kind: 'memory', stats: () => Promise.resolve({}) },
      backend: { kind: 'memory', get: () => Promise.resolve(undefined) },
      options: { queues: { a: {} } },
      attachedWorkers: workers,
    };
    return new CeleriacHealth(runtime as unknown as CeleriacRuntime);
  }

  it('is down when only the consumers are, broker and backend answering', async () => {
    const cut = workerSaying('w1', {
      phase: 'consuming',
      queues: [{ queue: 'a', liveness: { alive: false, reason: 'RabbitMQ cancelled the consumer' } }],
    });
    const report = await healthOf([cut]).check();
    expect(report).toMatchObject({
      status: 'down',
      broker: { status: 'up' },
      backend: { status: 'up' },
      consumers: { status: 'down', error: 'queue "a": RabbitMQ cancelled the consumer' },
    });
  });

  it('leaves the consumer check out on an API-only node', async () => {
    const report = await healthOf([]).check();
    expect(report.status).toBe('up');
    expect(report).not.toHaveProperty('consumers');
  });
});
