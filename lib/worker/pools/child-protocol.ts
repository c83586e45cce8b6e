import { types } from 'node:util';
import { NonRetryableError } from '../../errors/non-retryable.error.js';
import { RetryRequest } from '../../errors/retry-request.error.js';
import type { TaskInvocation } from './pool.interface.js';

/**
 * Messages between a pool and its children. Everything is plain data (structured clone for
 * threads, JSON over IPC for processes); results and progress travel as JSON text so they mean
 * the same on both pools and in-process.
 */

/** An error as plain data. `kind` keeps what the retry policy decides on across the boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  kind?: 'non-retryable' | 'retry';
  countdownMs?: number;
  reason?: WireError;
}

/** An invocation as it crosses to a child: everything but the signal and the progress callback. */
export interface RunMessage extends Omit<TaskInvocation, 'signal' | 'progress'> {
  type: 'run';
}

export type ToChild = RunMessage | { type: 'abort'; id: string; reason: WireError } | { type: 'close' };

export type ResultMessage =
  | { type: 'result'; id: string; ok: true; json: string; memory: number }
  | { type: 'result'; id: string; ok: false; error: WireError; memory: number };

export type FromChild =
  | { type: 'ready'; pid: number; threadId: number; tasks: string[] }
  | { type: 'progress'; id: string; json: string }
  | ResultMessage
  | { type: 'fatal'; error: WireError };

/** Anything thrown, as plain data. */
export function toWireError(error: unknown): WireError {
  if (!isErrorLike(error)) {
    const message = typeof error === 'string' ? error : (safeJson(error) ?? String(error));
    return { name: 'Error', message };
  }
  const wire: WireError = { name: String(error.name), message: error.message, stack: error.stack };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') wire.code = code;
  if (error instanceof NonRetryableError) wire.kind = 'non-retryable';
  if (error instanceof RetryRequest) {
    wire.kind = 'retry';
    wire.countdownMs = error.countdownMs;
    if (error.reason) wire.reason = toWireError(error.reason);
  }
  return wire;
}

/** Rebuilds an error: retry requests and non-retryable errors keep their meaning; the rest keep name, message, stack and code. */
export function fromWireError(wire: WireError): Error {
  let error: Error;
  if (wire.kind === 'retry') {
    error = new RetryRequest(wire.countdownMs, wire.reason ? fromWireError(wire.reason) : undefined);
  } else if (wire.kind === 'non-retryable') {
    error = new NonRetryableError(wire.message);
  } else {
    error = new Error(wire.message);
  }
  error.name = wire.name;
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/**
 * Errors made in another realm fail `instanceof Error`: a worker's 'error' event rebuilds the
 * thread's error as a plain object with an error prototype, and test runners use vm contexts.
 */
function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error || types.isNativeError(value)) return true;
  const candidate = value as { message?: unknown; name?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.message === 'string' &&
    'name' in candidate
  );
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
