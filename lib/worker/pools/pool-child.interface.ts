import type { FromChild, ToChild, WireError } from './child-protocol.js';
import type { PoolChildMarker } from './pool-child-marker.js';

/** How a child ended, as the parent saw it. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** The error that ended it, when the child or its runtime reported one. */
  error?: WireError;
  /** The last lines the child wrote to stderr. */
  output: string;
  /** V8 stopped it for reaching its heap limit. */
  outOfMemory: boolean;
}

/** What a spawned child tells its slot. */
export interface ChildEvents {
  message(message: FromChild): void;
  /** Called once, after the child has gone and its resources are released. */
  exit(exit: ChildExit): void;
}

/** One thread or process, from the parent's side. */
export interface PoolChild {
  /** Thread id or pid, for messages. */
  readonly id: number;
  send(message: ToChild): void;
  /** Stops it now, busy or not. */
  kill(): void;
}

/** Everything needed to start one child. */
export interface ChildSpec {
  entry: string;
  marker: PoolChildMarker;
  maxHeapMb?: number;
}

export type SpawnChild = (spec: ChildSpec, events: ChildEvents) => PoolChild;
