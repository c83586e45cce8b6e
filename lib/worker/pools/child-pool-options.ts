import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueOptions, ResolvedQueueOptions } from '../../celeriac-options.interface.js';
import { TaskDefinitionError } from '../../errors/task-definition.error.js';
import type { PoolKind } from './pool.interface.js';

/** Environment variable naming the entry children load when a queue sets no `entry`. */
export const POOL_ENTRY_ENV = 'CELERIAC_POOL_ENTRY';
export const DEFAULT_HARD_TIME_LIMIT_GRACE_MS = 1_000;
export const DEFAULT_BOOT_TIMEOUT_MS = 30_000;
/** An idle child asked to exit is killed if it has not exited after this long. */
export const CHILD_CLOSE_GRACE_MS = 2_000;
/** A child that fails to boot is retried after 1 s, 2 s, 4 s … up to 30 s. */
export const BOOT_BACKOFF_INITIAL_MS = 1_000;
export const BOOT_BACKOFF_MAX_MS = 30_000;

/** How a `threads` / `processes` pool runs its children, after defaults. */
export interface ChildPoolSettings {
  /** Absolute path of the module each child loads. */
  entry: string;
  /** 0: never recycle by count. */
  maxTasksPerChild: number;
  /** 0: never recycle by memory. */
  maxMemoryBytes: number;
  maxHeapMb?: number;
  hardTimeLimitGraceMs: number;
  bootTimeoutMs: number;
  closeGraceMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

const CHILD_OPTIONS = [
  'entry',
  'maxTasksPerChild',
  'maxMemoryPerChild',
  'maxHeapPerChild',
  'hardTimeLimitGraceMs',
  'bootTimeoutMs',
] as const;

/** Bootstrap-time checks of the child-pool options of one queue (`where` names it). */
export function checkChildPoolOptions(where: string, pool: PoolKind, options: QueueOptions): void {
  const given = CHILD_OPTIONS.filter((key) => options[key] !== undefined);
  if (pool !== 'threads' && pool !== 'processes') {
    if (given.length > 0) {
      throw new TaskDefinitionError(
        `${where}.${given[0]}: applies to threads and processes pools only (this queue uses ${pool})`,
      );
    }
    return;
  }
  for (const key of given) {
    const value = options[key];
    if (key === 'entry') {
      if (typeof value !== 'string' || value === '')
        throw new TaskDefinitionError(`${where}.entry: must be a file path or file: URL`);
      continue;
    }
    const positive = key === 'maxMemoryPerChild' || key === 'maxHeapPerChild' || key === 'bootTimeoutMs';
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (positive ? 1 : 0)) {
      throw new TaskDefinitionError(`${where}.${key}: must be an integer ≥ ${positive ? 1 : 0}`);
    }
  }
}

/** Settings of a child pool; resolves the entry, which must exist. */
export function childPoolSettings(queue: string, options: ResolvedQueueOptions): ChildPoolSettings {
  return {
    entry: resolveEntry(queue, options),
    maxTasksPerChild: options.maxTasksPerChild ?? 0,
    maxMemoryBytes: (options.maxMemoryPerChild ?? 0) * 1024 * 1024,
    maxHeapMb: options.maxHeapPerChild,
    hardTimeLimitGraceMs: options.hardTimeLimitGraceMs ?? DEFAULT_HARD_TIME_LIMIT_GRACE_MS,
    bootTimeoutMs: options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS,
    closeGraceMs: CHILD_CLOSE_GRACE_MS,
    backoffInitialMs: BOOT_BACKOFF_INITIAL_MS,
    backoffMaxMs: BOOT_BACKOFF_MAX_MS,
  };
}

function resolveEntry(queue: string, options: ResolvedQueueOptions): string {
  const where = `queue "${queue}" (${options.pool} pool)`;
  const configured = options.entry ?? process.env[POOL_ENTRY_ENV];
  if (!configured && underTestRunner()) {
    // argv[1] is the test runner: re-entering it would start the test run again in every child.
    throw new TaskDefinitionError(
      `${where}: children re-enter the application's entry, but process.argv[1] is a test runner ` +
        `(${process.argv[1]}); set the queue's \`entry\` (or ${POOL_ENTRY_ENV}) to the compiled application entry`,
    );
  }
  const raw = configured || process.argv[1];
  if (!raw) {
    throw new TaskDefinitionError(
      `${where}: no application entry to re-enter (process.argv[1] is empty); set the queue's \`entry\``,
    );
  }
  const entry = raw.startsWith('file:') ? fileURLToPath(raw) : resolve(raw);
  if (!existsSync(entry)) throw new TaskDefinitionError(`${where}: entry ${entry} does not exist`);
  return entry;
}

function underTestRunner(): boolean {
  return process.env.JEST_WORKER_ID !== undefined || process.env.VITEST !== undefined;
}
