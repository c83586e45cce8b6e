import 'reflect-metadata';
import { connect } from 'amqplib';
import { AMQP_URL } from '../amqp/support/rabbit.js';
import {
  deadLetterOf,
  envelopeOf,
  HostileTasks,
  hostileApp,
  newId,
  QUEUE,
  ran,
  stillServes,
  TARGETS,
} from './support/hostile-brokers.js';

const MB = 1024 * 1024;
/** What a dead letter of an oversized message keeps of its body (documented in README). */
const KEPT_BYTES = 1024;

/**
 * The consumer trusts nothing: messages pushed straight into each real broker (no client checks on
 * the way) that are too large, labelled as something other than JSON, or carry keys that reach a
 * prototype are dead-lettered with the reason, never run, and the worker keeps serving.
 */
describe.each(TARGETS)('hostile messages on the $name broker', (target) => {
  const running = hostileApp(target);

  it('dead-letters a 20 MB valid envelope unread, keeping a bounded body, its size and its headers', async () => {
    const id = newId('big');
    const body = JSON.stringify(envelopeOf(id, ['big:' + 'x'.repeat(20 * MB)]));
    const before = process.memoryUsage();
    await running.app.runtime.broker.publish(QUEUE, body, { messageId: id, headers: { origin: 'test' } });
    const letter = await deadLetterOf(running.app, id);
    const after = process.memoryUsage();

    expect(letter.reason).toMatch(/message body of \d+ bytes exceeds maxReceiveBytes \(1052672\)/);
    expect(letter.bodyBytes).toBe(Buffer.byteLength(body));
    expect(Buffer.byteLength(letter.body)).toBeLessThanOrEqual(KEPT_BYTES);
    expect(body.startsWith(letter.body)).toBe(true);
    expect(letter.headers).toMatchObject({ origin: 'test' });
    // A letter that kept only the start of its body has nothing to replay; it stays.
    expect(await running.app.runtime.broker.replayDeadLetters(QUEUE, [id])).toBe(0);
    await stillServes(running.app, `after-big-${target.name}`);
    expect(ran.filter((label) => label.startsWith('big:'))).toEqual([]);
    // Information only (no threshold): the worker did not parse or copy the body around.
    const mb = (bytes: number) => (bytes / MB).toFixed(1);
    process.stdout.write(
      `[${target.name}] 20 MB message: rss ${mb(before.rss)} -> ${mb(after.rss)} MB, ` +
        `heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} MB\n`,
    );
  });

  it('dead-letters envelopes holding __proto__, constructor or prototype at any depth; nothing is polluted', async () => {
    const cases = [
      ['kwargs', `{"nested":{"__proto__":{"polluted":"yes"}}}`, '$.kwargs.extra.nested.__proto__'],
      ['escaped', `{"\\u005f_proto__":{"polluted":"yes"}}`, '__proto__'],
      ['args', `[{"deep":[{"constructor":{"prototype":{"polluted":"yes"}}}]}]`, 'constructor'],
    ] as const;
    const ids: string[] = [];
    for (const [label, fragment] of cases) {
      const id = newId(`proto-${label}`);
      ids.push(id);
      const envelope = JSON.stringify(envelopeOf(id, [`proto:${label}`], { extra: 1 }));
      // The key goes in as raw JSON text: an object literal could not carry an own __proto__.
      const body = envelope.replace('"kwargs":{"extra":1}', `"kwargs":{"extra":${fragment}}`);
      await running.app.runtime.broker.publish(QUEUE, body, { messageId: id });
    }
    for (const [index, id] of ids.entries()) {
      const letter = await deadLetterOf(running.app, id);
      expect(letter.reason).toMatch(/forbidden key at envelope\..*(__proto__|constructor)/);
      expect(letter.reason).toContain(cases[index][2].replace('$', 'envelope'));
    }
    await stillServes(running.app, `after-proto-${target.name}`);
    expect(ran.filter((label) => label.startsWith('proto:'))).toEqual([]);
    // A sender meets the same rule at send, before anything is published.
    const polluted = JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown;
    await expect(running.app.client.send(HostileTasks, 'record', ['proto:send', polluted])).rejects.toThrow(
      /invalid arguments for task "HostileTasks.record": forbidden key at task\.args\[1\]\.__proto__/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('content type on RabbitMQ', () => {
  const target = TARGETS.find((t) => t.name === 'amqp')!;
  const running = hostileApp(target);

  it('runs JSON or unlabelled envelopes and dead-letters any other content type, unread', async () => {
    const model = await connect(AMQP_URL);
    const channel = await model.createConfirmChannel();
    const publish = (id: string, contentType?: string) =>
      channel.publish(
        `${running.app.prefix}.tasks`,
        QUEUE,
        Buffer.from(JSON.stringify(envelopeOf(id, [id]))),
        {
          persistent: true,
          messageId: id,
          contentType,
        },
      );
    const pickle = newId('ct-pickle');
    const yaml = newId('ct-yaml');
    const json = newId('ct-json');
    const bare = newId('ct-bare');
    publish(pickle, 'application/x-python-serialize');
    publish(yaml, 'application/x-yaml');
    publish(json, 'application/json');
    publish(bare);
    await channel.waitForConfirms();
    await model.close();

    for (const [id, type] of [
      [pickle, 'application/x-python-serialize'],
      [yaml, 'application/x-yaml'],
    ]) {
      const letter = await deadLetterOf(running.app, id);
      expect(letter.reason).toContain(`content type "${type}" is not accepted`);
      expect(letter.properties).toMatchObject({ contentType: type });
    }
    for (const id of [json, bare]) {
      await expect(running.app.client.handle(id).wait({ timeout: 15_000 })).resolves.toBe('ok');
    }
    expect(ran).toEqual(expect.arrayContaining([json, bare]));
    expect(ran).not.toContain(pickle);
    expect(ran).not.toContain(yaml);
  });
});
