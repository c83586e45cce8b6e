import type { DeadLetter } from '../../../lib/brokers/broker.interface.js';
import { isCeleryLetter, protocolOfDeadLetters } from '../../../lib/operator/dead-letter-protocol.js';

const letter = (extra: Partial<DeadLetter>): DeadLetter => ({
  messageId: 'm',
  queue: 'legacy',
  body: '[]',
  reason: 'unknown task',
  at: 0,
  ...extra,
});

describe('the protocol of a queue, read from its dead letters', () => {
  it("takes a letter with Celery's task and id headers for a Celery message", () => {
    expect(isCeleryLetter(letter({ headers: { lang: 'py', task: 'tasks.add', id: 'a' } }))).toBe(true);
    expect(isCeleryLetter(letter({ headers: { task: 'tasks.add' } }))).toBe(false);
    expect(isCeleryLetter(letter({ headers: { task: 1, id: 'a' } }))).toBe(false);
    expect(isCeleryLetter(letter({ body: '{"v":1,"id":"a","task":"T.m"}' }))).toBe(false);
  });

  it('is celery when any letter is a Celery message, else celeriac (garbage alone says nothing)', () => {
    const celery = letter({ headers: { task: 'tasks.add', id: 'a' } });
    expect(protocolOfDeadLetters([letter({ body: 'garbage{' }), celery])).toBe('celery');
    expect(protocolOfDeadLetters([letter({ body: 'garbage{' })])).toBe('celeriac');
    expect(protocolOfDeadLetters([])).toBe('celeriac');
  });
});
