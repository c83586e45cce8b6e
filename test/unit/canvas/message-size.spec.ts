import { jest } from '@jest/globals';
import { chain, chord, si, sig, type TaskHandle } from '../../../lib/index.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { MathTasks } from '../../support/workflow-tasks.js';

describe('workflow message size', () => {
  let w: WorkerApp;
  let sizes: number[];

  beforeEach(async () => {
    w = await startWorkerApp([MathTasks]);
    sizes = [];
    const publish = w.runtime.broker.publish.bind(w.runtime.broker);
    jest.spyOn(w.runtime.broker, 'publish').mockImplementation((queue, body, options) => {
      sizes.push(Buffer.byteLength(body));
      return publish(queue, body, options);
    });
  });
  afterEach(() => w.close());

  async function runChain(length: number): Promise<{ largest: number; total: number }> {
    sizes = [];
    const steps = Array.from({ length: length - 1 }, () => sig(MathTasks, 'add', 1));
    const handle = (await w.client.apply(chain(sig(MathTasks, 'add', 0, 0), ...steps))) as TaskHandle<number>;
    expect(await handle.wait({ timeout: 20_000 })).toBe(length - 1);
    expect(sizes).toHaveLength(length);
    return { largest: Math.max(...sizes), total: sizes.reduce((a, b) => a + b, 0) };
  }

  it('a long chain does not carry its future: the largest message is the same at 20 and 200 links', async () => {
    const short = await runChain(20);
    const long = await runChain(200);
    expect(long.largest).toBeLessThanOrEqual(short.largest + 8);
    expect(long.total / 200).toBeLessThanOrEqual((short.total / 20) * 1.05);
  });

  it('a chain of chords keeps every message small', async () => {
    // Later chords' members are immutable: they ignore the previous callback's result.
    const link = (n: number) =>
      chord([si(MathTasks, 'double', n), si(MathTasks, 'double', n + 1)], sig(MathTasks, 'sum', `c${n}`));
    const handle = (await w.client.apply(
      chain(link(1), link(2), link(3), link(4), link(5)),
    )) as TaskHandle<string>;
    expect(await handle.wait({ timeout: 20_000 })).toBe('c5=22');
    const first = Math.max(...sizes.slice(0, 2));
    expect(Math.max(...sizes)).toBeLessThan(first * 1.5);
  });
});
