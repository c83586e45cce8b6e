import { jest } from '@jest/globals';
import type { WorkerEvent } from '../../../lib/control/celeriac-event.js';
import { WorkerRegistry } from '../../../lib/control/worker-registry.js';

function beat(worker: string, type: WorkerEvent['type'] = 'worker-heartbeat'): WorkerEvent {
  return {
    type,
    worker,
    at: Date.now(),
    hostname: 'h',
    pid: 1,
    seq: 1,
    freq: 2_000,
    active: 0,
    processed: 0,
    load: [0, 0, 0],
    queues: [],
  };
}

describe('WorkerRegistry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is online while it beats, lost after three missed beats, and online again when it beats', () => {
    const registry = new WorkerRegistry();
    const changes: string[] = [];
    registry.onChange((info) => changes.push(`${info.worker}:${info.state}`));
    registry.observe(beat('a', 'worker-online'));
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(2_000);
      registry.observe(beat('a'));
    }
    expect(registry.get('a')?.state).toBe('online');
    jest.advanceTimersByTime(5_999);
    expect(registry.get('a')?.state).toBe('online');
    jest.advanceTimersByTime(1);
    expect(registry.get('a')?.state).toBe('lost');
    expect(registry.online()).toEqual([]);
    registry.observe(beat('a'));
    expect(registry.online()).toEqual(['a']);
    expect(changes.filter((change) => change === 'a:lost')).toHaveLength(1);
  });

  it('is offline after it said goodbye, and never lost afterwards; lists online workers first', () => {
    const registry = new WorkerRegistry();
    registry.observe(beat('b', 'worker-online'));
    registry.observe(beat('a', 'worker-offline'));
    jest.advanceTimersByTime(60_000);
    expect(registry.get('a')?.state).toBe('offline');
    expect(registry.list().map((info) => `${info.worker}:${info.state}`)).toEqual(['b:lost', 'a:offline']);
    registry.forget('a');
    expect(registry.get('a')).toBeUndefined();
  });
});
