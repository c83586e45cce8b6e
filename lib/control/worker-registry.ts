import type { WorkerEvent, WorkerQueueState } from './celeriac-event.js';

/** A heartbeat interval this many times over without a beat: the worker is gone. */
export const MISSED_BEATS_BEFORE_LOST = 3;

/** What the registry knows of one worker. */
export interface WorkerInfo {
  /** The worker's id (`<hostname>:<pid>`, or its name). */
  worker: string;
  hostname: string;
  pid: number;
  /** `online`: beating; `offline`: said goodbye; `lost`: missed three heartbeats (killed, frozen, cut off). */
  state: 'online' | 'offline' | 'lost';
  /** Epoch ms of its last event. */
  lastSeen: number;
  /** Epoch ms of the first event seen from it. */
  firstSeen: number;
  freq: number;
  active: number;
  processed: number;
  load: [number, number, number];
  queues: WorkerQueueState[];
}

export type WorkerChangeListener = (worker: WorkerInfo) => void;

/**
 * The workers of a prefix as their heartbeats tell: every `worker-*` event updates one entry; an
 * entry that hears nothing for three heartbeat intervals turns `lost` (a timer per worker, not a
 * sweep). Offline and lost entries are kept (so a dashboard can show them) until `forget`.
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerInfo>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<WorkerChangeListener>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one worker event into account. */
  observe(event: WorkerEvent): void {
    const known = this.workers.get(event.worker);
    const state = event.type === 'worker-offline' ? 'offline' : 'online';
    const info: WorkerInfo = {
      worker: event.worker,
      hostname: event.hostname,
      pid: event.pid,
      state,
      lastSeen: this.now(),
      firstSeen: known?.firstSeen ?? this.now(),
      freq: event.freq,
      active: event.active,
      processed: event.processed,
      load: event.load,
      queues: event.queues,
    };
    this.workers.set(event.worker, info);
    clearTimeout(this.timers.get(event.worker));
    this.timers.delete(event.worker);
    if (state === 'online') this.expireLater(info);
    this.changed(info);
  }

  /** Every worker seen, online ones first, then by id. */
  list(): WorkerInfo[] {
    const rank = { online: 0, lost: 1, offline: 2 };
    return [...this.workers.values()]
      .map((info) => ({ ...info }))
      .sort((a, b) => rank[a.state] - rank[b.state] || a.worker.localeCompare(b.worker));
  }

  /** Ids of the workers online now. */
  online(): string[] {
    return this.list()
      .filter((info) => info.state === 'online')
      .map((info) => info.worker);
  }

  get(worker: string): WorkerInfo | undefined {
    const info = this.workers.get(worker);
    return info && { ...info };
  }

  /** Calls `listener` on every change of an entry (a beat, going offline, getting lost). */
  onChange(listener: WorkerChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forget(worker: string): void {
    clearTimeout(this.timers.get(worker));
    this.timers.delete(worker);
    this.workers.delete(worker);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.workers.clear();
  }

  private expireLater(info: WorkerInfo): void {
    const timer = setTimeout(() => {
      this.timers.delete(info.worker);
      const current = this.workers.get(info.worker);
      if (current !== info) return;
      const lost = { ...info, state: 'lost' as const };
      this.workers.set(info.worker, lost);
      this.changed(lost);
    }, info.freq * MISSED_BEATS_BEFORE_LOST);
    timer.unref();
    this.timers.set(info.worker, timer);
  }

  private changed(info: WorkerInfo): void {
    for (const listener of [...this.listeners]) listener({ ...info });
  }
}
