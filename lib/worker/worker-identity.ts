import { hostname } from 'node:os';

const taken = new Set<string>();

/**
 * A worker's id: `<hostname>:<pid>`, with `:<n>` for a second worker of the same process, or the
 * name it was given. Ids are unique within a process; `release` frees one when its worker stops.
 */
export function claimWorkerId(name?: string): string {
  const base = name ?? `${hostname()}:${process.pid}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}:${n}`;
  taken.add(id);
  return id;
}

export function releaseWorkerId(id: string): void {
  taken.delete(id);
}
