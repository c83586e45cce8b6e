import { PassThrough } from 'node:stream';
import { OutputTail } from '../../../../lib/worker/pools/output-tail.js';

/** What OutputTail copied to its sink (our stderr in a pool) while `feed` wrote to the child's. */
async function copiedWhile(
  feed: (child: PassThrough) => void,
): Promise<{ copied: string; tail: OutputTail }> {
  const copied: string[] = [];
  const sink = { write: (text: string) => copied.push(text) };
  const child = new PassThrough();
  const tail = new OutputTail(child, sink);
  const ended = new Promise((resolve) => child.on('end', resolve));
  feed(child);
  child.end();
  await ended;
  return { copied: copied.join(''), tail };
}

const V8_REPORT = [
  '',
  '<--- Last few GCs --->',
  '',
  '[4242:0x6c5e0a0]      512 ms: Mark-Compact 125.4 (131.2) -> 124.9 (132.0) MB, allocation failure; scavenge might not succeed',
  '',
  '<--- JS stacktrace --->',
  '',
  'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  ' 1: 0xb090e0 node::Abort() [node]',
  '',
].join('\n');

describe('OutputTail (a pool child stderr)', () => {
  it('copies the lines a child writes, joined across chunks, and ends with an unterminated last line', async () => {
    const { copied, tail } = await copiedWhile((child) => {
      child.write('first li');
      child.write('ne\nsecond line\nno newline at the end');
    });
    expect(copied).toBe('first line\nsecond line\nno newline at the end');
    expect(tail.last()).toBe('first line\nsecond line\nno newline at the end');
    expect(tail.outOfMemory).toBe(false);
  });

  it("keeps V8's out-of-memory report out of our stderr, even split mid-marker, and says it ran out", async () => {
    const { copied, tail } = await copiedWhile((child) => {
      child.write('the task allocates\n');
      const cut = V8_REPORT.indexOf('few GCs');
      child.write(V8_REPORT.slice(0, cut));
      child.write(V8_REPORT.slice(cut));
    });
    expect(copied).toBe('the task allocates\n\n');
    expect(copied).not.toMatch(/Last few GCs|allocation failure;|heap out of memory/);
    expect(tail.outOfMemory).toBe(true);
    expect(tail.last()).toMatch(/FATAL ERROR: Reached heap limit .* heap out of memory/);
  });

  it('copies the lines written before the report in the same chunk, and nothing of the report', async () => {
    const { copied, tail } = await copiedWhile((child) => child.write(`last words${V8_REPORT}`));
    expect(copied).toBe('last words\n');
    expect(tail.outOfMemory).toBe(true);
  });
});
