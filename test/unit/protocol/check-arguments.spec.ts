import { InvalidArgumentsError } from '../../../lib/errors/invalid-arguments.error.js';
import { checkArguments, toJsonSafe } from '../../../lib/protocol/check-arguments.js';

const shape = { name: 'Reports.render', paramTypes: [String, Number, Array], requiredArgs: 2 };

describe('argument checking', () => {
  it('accepts arguments matching the declared parameters', () => {
    expect(() => checkArguments(shape, ['r1', 3])).not.toThrow();
    expect(() => checkArguments(shape, ['r1', 3, [1]])).not.toThrow();
  });

  it('rejects too few and too many arguments, naming the task', () => {
    expect(() => checkArguments(shape, ['r1'])).toThrow(
      'invalid arguments for task "Reports.render": expected at least 2 argument(s), got 1',
    );
    expect(() => checkArguments(shape, ['r1', 1, [], 'x'])).toThrow(
      /expected at most 3 argument\(s\), got 4/,
    );
    expect(() => checkArguments(shape, [])).toThrow(InvalidArgumentsError);
  });

  it('rejects a value of the wrong JSON type', () => {
    expect(() => checkArguments(shape, [42, 3])).toThrow(
      'invalid arguments for task "Reports.render": argument 1 must be a string, got number',
    );
    expect(() => checkArguments(shape, ['r1', '3'])).toThrow(/argument 2 must be a number, got string/);
    expect(() => checkArguments(shape, ['r1', 3, {}])).toThrow(/argument 3 must be a array, got object/);
  });

  it('does not check parameters typed as objects or interfaces', () => {
    expect(() =>
      checkArguments({ name: 't', paramTypes: [Object], requiredArgs: 1 }, [[1, 2]]),
    ).not.toThrow();
  });
});

describe('JSON safety', () => {
  it('passes JSON values through and turns undefined into null', () => {
    expect(toJsonSafe({ a: [1, 'x', null] }, 'result')).toEqual({ a: [1, 'x', null] });
    expect(toJsonSafe(undefined, 'result')).toBeNull();
  });

  it('gives what a JSON round trip gives, a copy sharing nothing, for scalars and flat arrays too', () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const withExtra = Object.assign([1], { extra: true });
    const values: unknown[] = [
      'text',
      7,
      true,
      null,
      NaN,
      -0,
      Infinity,
      [1, 'x', false, null],
      [1, undefined, NaN, -0],
      sparse,
      withExtra,
      [],
      {},
      { a: 1 },
      Object.create(null),
      new Date(0),
      [new Date(0), { toJSON: () => 'j' }],
    ];
    for (const value of values) {
      const copy = toJsonSafe(value, 'result');
      expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
      if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
    }
  });

  it('rejects values that cannot be serialised, with a clear message', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJsonSafe(cyclic, 'result of task "t"')).toThrow(
      /result of task "t" is not JSON-serializable/,
    );
    expect(() => toJsonSafe(10n, 'result')).toThrow(/not JSON-serializable/);
    expect(() => toJsonSafe(() => 1, 'result')).toThrow(/not JSON-serializable \(function\)/);
  });
});
