import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConfirmWatch } from '../../../../lib/brokers/amqp/confirm-watch.js';

const TIMEOUT_MS = 2_000;

describe('ConfirmWatch: a publish fails only when RabbitMQ confirms nothing for the timeout', () => {
  let failures: string[];
  let watch: ConfirmWatch;

  beforeEach(() => {
    jest.useFakeTimers();
    failures = [];
    watch = new ConfirmWatch(TIMEOUT_MS, () => new Error('stalled'));
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const publish = (name: string): (() => boolean) =>
    watch.track((error) => failures.push(`${name}: ${error.message}`));

  it('fails a publish that no confirm follows, once the timeout has passed and not before', () => {
    publish('a');
    jest.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(failures).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(failures).toEqual(['a: stalled']);
  });

  it('keeps a publish behind a long burst waiting while confirms go on arriving', () => {
    const first = publish('first');
    const second = publish('second');
    const third = publish('third');
    // Each confirm comes well inside the timeout of the one before: three times the timeout in all.
    jest.advanceTimersByTime(TIMEOUT_MS - 100);
    expect(first()).toBe(true);
    jest.advanceTimersByTime(TIMEOUT_MS - 100);
    expect(second()).toBe(true);
    jest.advanceTimersByTime(TIMEOUT_MS - 100);
    expect(failures).toEqual([]);
    expect(third()).toBe(true);
    jest.advanceTimersByTime(TIMEOUT_MS * 3);
    expect(failures).toEqual([]);
  });

  it('fails every waiting publish a timeout after the last confirm; a late confirm then settles nothing', () => {
    const first = publish('first');
    const second = publish('second');
    publish('third');
    jest.advanceTimersByTime(500);
    expect(first()).toBe(true);
    jest.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(failures).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(failures).toEqual(['second: stalled', 'third: stalled']);
    expect(second()).toBe(false);
  });

  it('gives a publish sent after a quiet spell its whole timeout', () => {
    const early = publish('early');
    jest.advanceTimersByTime(100);
    expect(early()).toBe(true);
    jest.advanceTimersByTime(TIMEOUT_MS * 5);
    publish('late');
    jest.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(failures).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(failures).toEqual(['late: stalled']);
  });
});
