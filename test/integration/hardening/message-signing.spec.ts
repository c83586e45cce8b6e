import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { SIGNATURE_HEADER } from '../../../lib/index.js';
import { MessageSigner } from '../../../lib/protocol/message-signer.js';
import {
  deadLetterOf,
  envelopeOf,
  HostileTasks,
  hostileApp,
  newId,
  QUEUE,
  ran,
  TARGETS,
} from './support/hostile-brokers.js';

const PREVIOUS = randomBytes(32);
const CURRENT = randomBytes(32);

/**
 * Signing on each real broker: what the application's own client sends is signed and runs; a
 * message pushed into the broker unsigned, altered, or signed with a key the worker does not hold
 * is dead-lettered with the reason and never runs (nor is retried); one signed with a previous key
 * still runs, so keys can be rotated.
 */
describe.each(TARGETS)('message signing on the $name broker', (target) => {
  const running = hostileApp(target, { signing: { key: CURRENT, previousKeys: [PREVIOUS] } });

  it('runs what its own client sends (signed with the current key), retries included', async () => {
    const handle = await running.app.client.send(HostileTasks, 'record', [`signed-${target.name}`]);
    await expect(handle.wait({ timeout: 15_000 })).resolves.toBe('ok');
    // The retry carries a new body (retries + 1), signed again by the worker that requeues it.
    const retried = await running.app.client.send(HostileTasks, 'flaky', [target.name]);
    await expect(retried.wait({ timeout: 15_000 })).resolves.toBe(`retried:${target.name}`);
  });

  it('dead-letters unsigned, altered and unknown-key messages unrun; a previous key still runs', async () => {
    const sign = (key: Buffer, body: string) => new MessageSigner({ key }).sign(body);
    const unsigned = newId('unsigned');
    const altered = newId('altered');
    const unknown = newId('unknown-key');
    const rotated = newId('rotated');
    const publish = (id: string, body: string, headers: Record<string, unknown>) =>
      running.app.runtime.broker.publish(QUEUE, body, {
        messageId: id,
        headers: headers as Record<string, string>,
      });
    const bodyOf = (id: string) => JSON.stringify(envelopeOf(id, [id]));

    await publish(unsigned, bodyOf(unsigned), {});
    const original = bodyOf(altered);
    await publish(altered, original.replace(`["${altered}"]`, `["${altered}-x"]`), sign(CURRENT, original));
    await publish(unknown, bodyOf(unknown), sign(randomBytes(32), bodyOf(unknown)));
    await publish(rotated, bodyOf(rotated), sign(PREVIOUS, bodyOf(rotated)));

    await expect(running.app.client.handle(rotated).wait({ timeout: 15_000 })).resolves.toBe('ok');
    expect((await deadLetterOf(running.app, unsigned)).reason).toMatch(/unsigned message/);
    expect((await deadLetterOf(running.app, altered)).reason).toMatch(/bad signature/);
    expect((await deadLetterOf(running.app, unknown)).reason).toMatch(/signed with an unknown key/);
    expect(ran).toContain(rotated);
    for (const id of [unsigned, altered, unknown]) {
      expect(ran.some((label) => label.startsWith(id))).toBe(false);
    }
    // Dead-lettered once each, not retried.
    const letters = await running.app.runtime.broker.deadLetters(QUEUE, 1_000);
    expect(letters.filter((l) => [unsigned, altered, unknown].includes(l.messageId))).toHaveLength(3);
    expect(
      letters.every(
        (letter) => letter.headers?.[SIGNATURE_HEADER] !== undefined || letter.messageId === unsigned,
      ),
    ).toBe(true);
  });
});
