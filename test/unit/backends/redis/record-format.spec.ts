import { celeriacRecordFormat } from '../../../../lib/backends/redis/record-format.js';
import type { TaskRecord } from '../../../../lib/backends/task-record.js';
import { TaskState } from '../../../../lib/backends/task-state.js';
import { CorruptRecordError } from '../../../../lib/errors/corrupt-record.error.js';

const base: TaskRecord = {
  id: 't1',
  state: TaskState.SUCCESS,
  task: 'Reports.render',
  queue: 'default',
  retries: 0,
  updatedAt: 1_700_000_000_000,
  result: { ok: true },
};

describe("Celeriac's Redis record format", () => {
  it('stores no id (the key names it) and a task that is its own root as an empty rootId', () => {
    const record: TaskRecord = { ...base, rootId: 't1' };
    const stored = celeriacRecordFormat.encode(record);
    expect(JSON.parse(stored)).toEqual({
      state: 'SUCCESS',
      task: 'Reports.render',
      queue: 'default',
      retries: 0,
      updatedAt: 1_700_000_000_000,
      result: { ok: true },
      rootId: '',
    });
    expect(celeriacRecordFormat.decode(stored, 't1')).toEqual(record);
  });

  it('keeps another root and a parent as they are', () => {
    const record: TaskRecord = { ...base, rootId: 'r0', parentId: 'p0', group: 'g0' };
    expect(celeriacRecordFormat.decode(celeriacRecordFormat.encode(record), 't1')).toEqual(record);
  });

  it('reads a record that had no rootId back without one', () => {
    const decoded = celeriacRecordFormat.decode(celeriacRecordFormat.encode(base), 't1');
    expect(decoded).toEqual(base);
    expect(Object.hasOwn(decoded, 'rootId')).toBe(false);
  });

  it('reads the older form, id and rootId written out, as it was', () => {
    const record: TaskRecord = { ...base, rootId: 't1' };
    expect(celeriacRecordFormat.decode(JSON.stringify(record), 't1')).toEqual(record);
    expect(celeriacRecordFormat.decode(JSON.stringify(base), 't1')).toEqual(base);
  });

  it('drops the fence an attempt stored at the head, and refuses a record with no state', () => {
    const stored = `{"fence":3,${celeriacRecordFormat.encode(base).slice(1)}`;
    expect(celeriacRecordFormat.decode(stored, 't1')).toEqual(base);
    expect(() => celeriacRecordFormat.decode('{"task":"x"}', 't1')).toThrow(CorruptRecordError);
  });
});
