import { HttpException } from '@nestjs/common';
import type { TaskDefinition } from '../discovery/task-definition.js';
import { NonRetryableError } from '../errors/non-retryable.error.js';
import { RetryRequest } from '../errors/retry-request.error.js';
import { TaskRevokedError } from '../errors/task-revoked.error.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { backoffDelay } from '../decorators/backoff.js';

export type FailureDecision =
  | { kind: 'retry'; delayMs: number; error: unknown }
  | { kind: 'fail'; error: unknown }
  | { kind: 'revoked'; error: unknown };

/**
 * What a failed attempt leads to. Any error retries while retries remain, except a
 * {@link NonRetryableError} or a client error from Nest's enhancers (an `HttpException` with a 4xx
 * status, such as a pipe's `BadRequestException` or a guard's `ForbiddenException`: the same input
 * would be refused again); a {@link RetryRequest} chooses its own countdown but spends a retry
 * like any failure; a revoked task never retries.
 */
export function decideFailure(
  definition: Pick<TaskDefinition, 'retries' | 'backoff'>,
  envelope: Pick<TaskEnvelope, 'retries'>,
  error: unknown,
  random?: () => number,
): FailureDecision {
  if (error instanceof TaskRevokedError) return { kind: 'revoked', error };
  if (error instanceof NonRetryableError || isClientError(error)) return { kind: 'fail', error };
  const retryNumber = envelope.retries + 1;
  if (envelope.retries >= definition.retries) {
    if (error instanceof RetryRequest) {
      const exhausted = new Error(
        `retry requested but the task's ${definition.retries} retr${definition.retries === 1 ? 'y is' : 'ies are'} spent` +
          (error.reason ? `: ${error.reason.message}` : ''),
      );
      exhausted.name = 'MaxRetriesExceededError';
      return { kind: 'fail', error: exhausted };
    }
    return { kind: 'fail', error };
  }
  if (error instanceof RetryRequest && error.countdownMs !== undefined) {
    return { kind: 'retry', delayMs: error.countdownMs, error: error.reason ?? error };
  }
  const reported = error instanceof RetryRequest ? (error.reason ?? error) : error;
  return { kind: 'retry', delayMs: backoffDelay(definition.backoff, retryNumber, random), error: reported };
}

function isClientError(error: unknown): boolean {
  if (!(error instanceof HttpException)) return false;
  const status = error.getStatus();
  return status >= 400 && status < 500;
}
