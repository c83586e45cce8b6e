import { Injectable } from '@nestjs/common';
import { Task } from '../../lib/index.js';

/** What a task that records its run returns: when it started and ended, and where it ran. */
export interface RunSpan {
  label: string;
  start: number;
  end: number;
  pid: number;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts runs of `PolicyTasks.long` in this process (the lease test reads it). */
export const longRuns: string[] = [];

/** Tasks under delivery policies, for the memory, Redis and RabbitMQ suites and their worker processes. */
@Injectable()
export class PolicyTasks {
  @Task({ rateLimit: { limit: '10/s', scope: 'global' } })
  tick(n: number): RunSpan {
    const start = Date.now();
    return { label: String(n), start, end: start, pid: process.pid };
  }

  @Task({ rateLimit: { limit: '5/s', key: (tenant: string) => tenant } })
  tenantTick(tenant: string, n: number): RunSpan {
    const start = Date.now();
    return { label: `${tenant}:${n}`, start, end: start, pid: process.pid };
  }

  @Task({ concurrency: { limit: 2, key: (tenant: string) => tenant } })
  async tenantJob(tenant: string, ms: number): Promise<RunSpan> {
    const start = Date.now();
    await pause(ms);
    return { label: tenant, start, end: Date.now(), pid: process.pid };
  }

  @Task()
  async long(tag: string, ms: number): Promise<RunSpan> {
    longRuns.push(tag);
    const start = Date.now();
    await pause(ms);
    return { label: tag, start, end: Date.now(), pid: process.pid };
  }
}

/** The most starts that fall in any window of `windowMs` (a sliding window over the run). */
export function maxInWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The most spans that overlap at one moment. */
export function maxOverlap(spans: readonly RunSpan[]): number {
  const edges = spans.flatMap((span) => [
    { at: span.start, step: 1 },
    { at: span.end, step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.step));
  return most;
}
