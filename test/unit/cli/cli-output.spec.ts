import { createOutput, formatTable } from '../../../lib/cli/cli-output.js';

describe('CLI output', () => {
  it('aligns columns two spaces apart, numbers to the right, missing values as -', () => {
    expect(
      formatTable(
        ['QUEUE', 'READY', 'IN FLIGHT'],
        [
          ['io', 12, undefined],
          ['serial', 3, 1],
        ],
      ),
    ).toBe('QUEUE   READY  IN FLIGHT\nio         12          -\nserial      3          1\n');
  });

  it('--json prints one document and nothing for people', () => {
    let printed = '';
    const out = createOutput(true, (text) => (printed += text));
    out.line('hello');
    out.table(['A'], [[1]]);
    out.fields([['a', 1]]);
    out.result({ a: 1 }, () => out.line('human'));
    expect(printed).toBe('{"a":1}\n');
  });

  it('fields line up their values and skip the ones without a value', () => {
    let printed = '';
    const out = createOutput(false, (text) => (printed += text));
    out.fields([
      ['id', 'x'],
      ['progress', undefined],
      ['result', { pages: 2 }],
    ]);
    expect(printed).toBe('id      x\nresult  {"pages":2}\n');
  });
});
