import { bindArguments, type ParameterShape } from '../../../lib/protocol/bind-arguments.js';
import { parameterNames } from '../../../lib/discovery/parameter-names.js';

class Tasks {
  add(x: number, y: number) {
    return x + y;
  }
  render(id: string, options: { format?: string } = {}) {
    return [id, options];
  }
  fancy(/* first */ a: string, { deep }: { deep: number } = { deep: 1 }, c = 'x,y', ...rest: unknown[]) {
    return [a, deep, c, rest];
  }
}

function shape(method: keyof Tasks, types: unknown[]): ParameterShape {
  const fn = Tasks.prototype[method] as (...args: never[]) => unknown;
  return {
    name: `Tasks.${method}`,
    paramTypes: types,
    requiredArgs: fn.length,
    paramNames: parameterNames(fn),
  };
}

describe('parameterNames', () => {
  it('reads names from the declaration; destructured and rest parameters have none', () => {
    expect(parameterNames(Tasks.prototype.add)).toEqual(['x', 'y']);
    expect(parameterNames(Tasks.prototype.render)).toEqual(['id', 'options']);
    expect(parameterNames(Tasks.prototype.fancy)).toEqual(['a', undefined, 'c', undefined]);
    expect(
      parameterNames(function named(first: number, second = 2) {
        return first + second;
      }),
    ).toEqual(['first', 'second']);
    expect(parameterNames(() => 1)).toEqual([]);
  });
});

describe('bindArguments (keyword arguments onto parameters)', () => {
  const add = shape('add', [Number, Number]);
  const render = shape('render', [String, Object]);

  it('binds kwargs by name, after positional args', () => {
    expect(bindArguments(add, [], { x: 2, y: 3 })).toEqual([2, 3]);
    expect(bindArguments(add, [2], { y: 3 })).toEqual([2, 3]);
    expect(bindArguments(add, [2, 3], {})).toEqual([2, 3]);
  });

  it('gathers kwargs that name no parameter into the last parameter', () => {
    expect(bindArguments(render, ['r1'], { format: 'pdf', pages: 2 })).toEqual([
      'r1',
      { format: 'pdf', pages: 2 },
    ]);
    expect(bindArguments(render, [], { id: 'r1', options: { format: 'csv' } })).toEqual([
      'r1',
      { format: 'csv' },
    ]);
  });

  it('refuses a parameter given twice, a missing one, unexpected names and wrong types', () => {
    expect(() => bindArguments(add, [2], { x: 3 })).toThrow(/multiple values for parameter "x"/);
    expect(() => bindArguments(add, [], { y: 3 })).toThrow(/missing required parameter "x"/);
    expect(() => bindArguments(add, [1, 2], { z: 3 })).toThrow(/unexpected keyword argument\(s\) "z"/);
    expect(() => bindArguments(add, [], { x: 'two', y: 3 })).toThrow(/argument 1 must be a number/);
  });
});
