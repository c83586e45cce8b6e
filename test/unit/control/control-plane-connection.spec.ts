import { randomUUID } from 'node:crypto';
import type { CeleriacEvent } from '../../../lib/control/celeriac-event.js';
import { createControlPlane } from '../../../lib/control/control-plane.js';
import { ControlPlaneConnection } from '../../../lib/control/control-plane.connection.js';
import { resolveOptions } from '../../../lib/resolve-options.js';

const startedEvent = (id: string) => ({ type: 'task-started' as const, id, queue: 'q', at: Date.now() });

describe('ControlPlaneConnection at shutdown', () => {
  /** A subscriber on the prefix; `ids(n)` resolves with the ids of the first `n` events it receives. */
  async function watch(
    prefix: string,
  ): Promise<{ ids: (n: number) => Promise<unknown[]>; close: () => Promise<void> }> {
    const plane = await createControlPlane({ url: 'memory://', prefix });
    await plane.connect();
    const seen: CeleriacEvent[] = [];
    let wake = (): void => undefined;
    await plane.events.subscribe((batch) => {
      seen.push(...batch);
      wake();
    });
    const ids = async (n: number): Promise<unknown[]> => {
      while (seen.length < n) await new Promise<void>((resolve) => (wake = resolve));
      return seen.map((e) => 'id' in e && e.id);
    };
    return { ids, close: () => plane.close() };
  }

  it('publishes the events queued in the last turn before it closes, even if nothing opened the plane yet', async () => {
    const prefix = `shutdown-${randomUUID()}`;
    const watcher = await watch(prefix);
    const connection = new ControlPlaneConnection(resolveOptions({ broker: 'memory://', prefix }));
    connection.publisher.task(startedEvent('last'));
    await connection.onApplicationShutdown();
    expect(await watcher.ids(1)).toEqual(['last']);
    await watcher.close();
  });

  it('waits for a batch already on its way, then closes the plane', async () => {
    const prefix = `shutdown-${randomUUID()}`;
    const watcher = await watch(prefix);
    const connection = new ControlPlaneConnection(resolveOptions({ broker: 'memory://', prefix }));
    await connection.get();
    for (let i = 0; i < 3; i++) connection.publisher.task(startedEvent(`t${i}`));
    await connection.onApplicationShutdown();
    expect(await watcher.ids(3)).toEqual(['t0', 't1', 't2']);
    await expect(connection.get()).rejects.toThrow(/closed/);
    await watcher.close();
  });
});
