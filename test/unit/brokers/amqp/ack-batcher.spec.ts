import { AckBatcher } from '../../../../lib/brokers/amqp/ack-batcher.js';

interface Message {
  fields: { deliveryTag: number };
}

function setUp() {
  const sent: [number, boolean][] = [];
  const turns: (() => void)[] = [];
  const batcher = new AckBatcher<Message>(
    (message, multiple) => sent.push([message.fields.deliveryTag, multiple]),
    (flush) => turns.push(flush),
  );
  const messages = Array.from({ length: 5 }, (_, i) => ({ fields: { deliveryTag: i + 1 } }));
  for (const message of messages) batcher.delivered(message);
  const endTurn = () => turns.splice(0).forEach((flush) => flush());
  return { batcher, messages, sent, turns, endTurn };
}

describe('AckBatcher', () => {
  it('sends the acks of one turn as a single multiple ack on the highest tag', () => {
    const { batcher, messages, sent, turns, endTurn } = setUp();
    for (const message of messages) batcher.ack(message);
    expect(sent).toEqual([]);
    expect(turns).toHaveLength(1);
    endTurn();
    expect(sent).toEqual([[5, true]]);
  });

  it('acks past a delivery still running one by one, so nothing waits for it', () => {
    const { batcher, messages, sent, endTurn } = setUp();
    batcher.ack(messages[1]);
    batcher.ack(messages[2]);
    endTurn();
    expect(sent).toEqual([
      [2, false],
      [3, false],
    ]);
    batcher.ack(messages[0]);
    endTurn();
    expect(sent.at(-1)).toEqual([1, true]);
  });

  it('never covers a nacked delivery with its batch tag', () => {
    const { batcher, messages, sent, endTurn } = setUp();
    batcher.ack(messages[0]);
    batcher.settledElsewhere(messages[1]);
    batcher.ack(messages[2]);
    endTurn();
    expect(sent).toEqual([[3, true]]);

    batcher.ack(messages[3]);
    batcher.settledElsewhere(messages[4]);
    endTurn();
    expect(sent.at(-1)).toEqual([4, true]);
  });

  it('sends nothing for a second ack or an empty turn', () => {
    const { batcher, messages, sent, endTurn } = setUp();
    batcher.ack(messages[0]);
    batcher.ack(messages[0]);
    endTurn();
    batcher.flush();
    expect(sent).toEqual([[1, true]]);
  });

  it('flushes on demand, before a channel is closed', () => {
    const { batcher, messages, sent } = setUp();
    batcher.ack(messages[0]);
    batcher.flush();
    expect(sent).toEqual([[1, true]]);
  });
});
