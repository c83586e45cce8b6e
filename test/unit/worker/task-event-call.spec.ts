import type { TaskEnvelope } from '../../../lib/protocol/task-envelope.js';
import { eventCall, MAX_EVENT_ARGUMENTS_CHARS } from '../../../lib/worker/task-event-call.js';

const envelope = (extra: Partial<TaskEnvelope> = {}): TaskEnvelope => ({
  v: 1,
  id: 't1',
  task: 'Reports.build',
  queue: 'io',
  args: [3, 'x'],
  kwargs: {},
  retries: 0,
  createdAt: 1,
  rootId: 't1',
  ...extra,
});

describe('eventCall (what task-sent and task-received say about the call)', () => {
  it('carries the arguments, and kwargs only when there are some', () => {
    expect(eventCall(envelope())).toEqual({ args: [3, 'x'] });
    expect(eventCall(envelope({ kwargs: { dry: true } }))).toEqual({ args: [3, 'x'], kwargs: { dry: true } });
  });

  it('leaves out arguments larger than events carry, but still says where the task sits', () => {
    const big = 'x'.repeat(MAX_EVENT_ARGUMENTS_CHARS);
    expect(eventCall(envelope({ args: [big], group: 'g', groupSize: 4, chord: 'step-1' }))).toEqual({
      group: 'g',
      groupSize: 4,
      chord: true,
    });
  });

  it('a group member without a chord is no chord', () => {
    expect(eventCall(envelope({ group: 'g', groupSize: 2 }))).toEqual({
      args: [3, 'x'],
      group: 'g',
      groupSize: 2,
    });
  });
});
