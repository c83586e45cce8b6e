import { AmqpNodeList, serverOf } from '../../../../lib/brokers/amqp/amqp-node-list.js';

describe('AmqpNodeList (the nodes one AMQP connection dials)', () => {
  const a = 'amqp://app:secret@10.0.0.1:5672';
  const b = 'amqp://app:secret@10.0.0.2:5673';
  const c = 'amqps://app:secret@10.0.0.3';

  it('starts at the broker URL and moves round-robin through the others, back to the first', () => {
    const nodes = new AmqpNodeList(a, [b, c]);
    expect(nodes.size).toBe(3);
    expect(nodes.current()).toBe(a);
    expect([nodes.advance(), nodes.advance(), nodes.advance(), nodes.advance()]).toEqual([b, c, a, b]);
    expect(nodes.current()).toBe(b);
  });

  it('with one URL always dials it', () => {
    const nodes = new AmqpNodeList(a);
    expect(nodes.size).toBe(1);
    expect([nodes.advance(), nodes.advance()]).toEqual([a, a]);
  });

  it('dials a URL listed twice (or the broker URL repeated in the list) once per round', () => {
    const nodes = new AmqpNodeList(a, [a, b, b]);
    expect(nodes.size).toBe(2);
    expect([nodes.advance(), nodes.advance()]).toEqual([b, a]);
  });

  it('names nodes by host and port, never with their credentials', () => {
    const nodes = new AmqpNodeList(a, [b, c]);
    expect(nodes.describe()).toBe('10.0.0.1:5672, 10.0.0.2:5673, 10.0.0.3:5671');
    nodes.advance();
    expect(nodes.currentServer()).toBe('10.0.0.2:5673');
    expect(serverOf('amqp://guest:guest@rabbit')).toBe('rabbit:5672');
  });
});
