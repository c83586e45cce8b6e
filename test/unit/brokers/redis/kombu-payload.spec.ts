import {
  fromKombuPriority,
  kombuKeys,
  kombuListName,
  stepIndexOf,
  toKombuPriority,
} from '../../../../lib/brokers/redis/kombu/kombu-keys.js';
import {
  KombuHeader,
  newKombuPayload,
  readKombuPayload,
  requeuedPayload,
  restoredPayload,
  unackedEntry,
  type KombuPayload,
} from '../../../../lib/brokers/redis/kombu/kombu-payload.js';

/** A message exactly as Celery 5.2's `send_task(..., priority=5)` left it on a Redis list. */
const FROM_CELERY: KombuPayload = JSON.parse(
  '{"body": "W1syLCAzXSwgeyJ6IjogMX0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "tasks.add", "id": "05e2eaf9-8059-40a5-bed0-ad0f25f78bec", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "05e2eaf9-8059-40a5-bed0-ad0f25f78bec", "parent_id": null, "argsrepr": "[2, 3]", "kwargsrepr": "{\'z\': 1}", "origin": "gen15170@vm", "ignore_result": false}, "properties": {"correlation_id": "05e2eaf9-8059-40a5-bed0-ad0f25f78bec", "reply_to": "d93ee089-2f9c-3521-9a17-118ce9b4922c", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "kq"}, "priority": 5, "body_encoding": "base64", "delivery_tag": "be0c9761-b42c-4c37-bb8a-84a8052c8f1a"}}',
) as KombuPayload;

describe("kombu's Redis key layout", () => {
  it('names lists, unacked keys and bindings as kombu does, under its global key prefix', () => {
    const keys = kombuKeys('app:', 'celeriac', 'kq');
    expect(keys.lists).toEqual(['app:kq', 'app:kq\x06\x163', 'app:kq\x06\x166', 'app:kq\x06\x169']);
    expect(keys.unacked).toBe('app:unacked');
    expect(keys.unackedIndex).toBe('app:unacked_index');
    expect(keys.binding).toBe('app:_kombu.binding.kq');
    expect(keys.bindingMember).toBe('kq\x06\x16\x06\x16kq');
    expect(keys.dead).toBe('{celeriac:kq}:dead');
    expect(kombuListName('kq', 0)).toBe('kq');
  });

  it("maps priorities onto kombu's steps, each side keeping its meaning", () => {
    expect([0, 2, 3, 5, 6, 8, 9].map(stepIndexOf)).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(toKombuPriority(9)).toBe(0);
    expect(toKombuPriority(0)).toBe(9);
    expect(fromKombuPriority(5)).toBe(4);
    expect(fromKombuPriority(42)).toBe(0);
  });
});

describe("kombu's message envelope", () => {
  it("reads Celery's message: base64 body, headers, properties, priority, task id", () => {
    const read = readKombuPayload(FROM_CELERY);
    expect(JSON.parse(read.body)).toEqual([
      [2, 3],
      { z: 1 },
      { callbacks: null, errbacks: null, chain: null, chord: null },
    ]);
    expect(read.headers).toMatchObject({
      lang: 'py',
      task: 'tasks.add',
      retries: 0,
      timelimit: [null, null],
    });
    expect(read.properties).toEqual({
      correlationId: '05e2eaf9-8059-40a5-bed0-ad0f25f78bec',
      replyTo: 'd93ee089-2f9c-3521-9a17-118ce9b4922c',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
    });
    expect(read.priority).toBe(4);
    expect(read.messageId).toBe('05e2eaf9-8059-40a5-bed0-ad0f25f78bec');
    expect(read.deliveryCount).toBe(1);
  });

  it('writes the fields kombu writes, with a fresh delivery tag and a base64 body', () => {
    const payload = newKombuPayload({
      queue: 'kq',
      body: '[[1],{},null]',
      headers: { task: 't', id: 'i' },
      properties: {
        correlationId: 'i',
        replyTo: '',
        contentType: 'application/json',
        contentEncoding: 'utf-8',
      },
    });
    expect(payload).toEqual({
      body: Buffer.from('[[1],{},null]').toString('base64'),
      'content-encoding': 'utf-8',
      'content-type': 'application/json',
      headers: { task: 't', id: 'i' },
      properties: {
        correlation_id: 'i',
        reply_to: '',
        delivery_mode: 2,
        delivery_info: { exchange: '', routing_key: 'kq' },
        priority: 0,
        body_encoding: 'base64',
        delivery_tag: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    expect(readKombuPayload(newKombuPayload({ queue: 'kq', body: 'x', priority: 9 })).priority).toBe(9);
  });

  it('counts requeues and returns in its own headers, which a delivery does not show', () => {
    const requeued = requeuedPayload(FROM_CELERY, { body: 'new' });
    expect(readKombuPayload(requeued)).toMatchObject({ body: 'new', deliveryCount: 2 });
    const held = requeuedPayload(requeued, {}, 1_000);
    expect(held.headers?.[KombuHeader.due]).toBe(1_000);
    // A held message comes back as it was: no return counted, not marked redelivered.
    const due = restoredPayload(held);
    expect(due.headers?.[KombuHeader.due]).toBeUndefined();
    expect(due.headers?.redelivered).toBeUndefined();
    expect(readKombuPayload(due).deliveryCount).toBe(3);
    // One its consumer never settled is marked as kombu marks it, and counts.
    const returned = restoredPayload(due);
    expect(returned.headers?.redelivered).toBe(true);
    expect(returned.properties.delivery_info?.redelivered).toBe(true);
    const read = readKombuPayload(returned);
    expect(read.deliveryCount).toBe(4);
    expect(
      Object.keys(read.headers).filter((name) => name.startsWith('x-celeriac') || name === 'redelivered'),
    ).toEqual([]);
    expect(returned.properties.delivery_tag).toBe(FROM_CELERY.properties.delivery_tag);
  });

  it("stores an unacked entry as kombu's QoS does: [payload, exchange, routing key]", () => {
    expect(JSON.parse(unackedEntry(FROM_CELERY, 'kq'))).toEqual([FROM_CELERY, '', 'kq']);
  });
});
