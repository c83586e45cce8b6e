import {
  BadGatewayException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Sse,
  type Type,
} from '@nestjs/common';
import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { isReadyState, TaskState } from '../backends/task-state.js';
import { GROUP_TASK } from '../canvas/workflow-step.js';
import { TaskClient } from '../client/task.client.js';
import { CorruptRecordError } from '../errors/corrupt-record.error.js';
import { toStatusView, type TaskStatusView } from './task-status.view.js';

/** Nothing is stored for a task sent with `ignoreResult`, so the answer says that it may be one. */
function unknownTask(id: string): string {
  return `no task with id "${id}": unknown, expired, or sent with ignoreResult (whose state is never stored)`;
}

/**
 * A record the backend holds but nobody can read is the store's fault, not the caller's nor this
 * server's: `502 Bad Gateway` with a JSON body naming the task, never a bare 500.
 */
function asBadGateway(error: unknown): never {
  if (!(error instanceof CorruptRecordError)) throw error;
  throw new BadGatewayException(
    { statusCode: 502, error: 'Bad Gateway', code: error.code, id: error.taskId, message: error.message },
    { cause: error },
  );
}

/**
 * Builds the opt-in status controller on `path`: `GET /:id` (state, progress, result or error),
 * `DELETE /:id` (revoke) and `GET /:id/events` (server-sent events until the task is ready).
 */
export function createTaskStatusController(path: string): Type<unknown> {
  @Controller(path)
  class TaskStatusController {
    constructor(private readonly client: TaskClient) {}

    @Get(':id')
    async status(@Param('id') id: string): Promise<TaskStatusView> {
      const record = await this.client.handle(id).info().catch(asBadGateway);
      if (!record) throw new NotFoundException(unknownTask(id));
      if (record.task === GROUP_TASK && !isReadyState(record.state)) {
        // A running group's record is written at its start and its end only; its live progress is one counter read.
        const total = (record.progress as { total?: number } | undefined)?.total ?? 0;
        const completed = await this.client.groupHandle(id).completed();
        return toStatusView(
          {
            ...record,
            state: completed > 0 ? TaskState.STARTED : record.state,
            progress: { completed, total },
          },
          path,
        );
      }
      return toStatusView(record, path);
    }

    @Delete(':id')
    @HttpCode(HttpStatus.ACCEPTED)
    async revoke(@Param('id') id: string): Promise<TaskStatusView> {
      const handle = this.client.handle(id);
      if (!(await handle.info().catch(asBadGateway))) throw new NotFoundException(unknownTask(id));
      await handle.revoke();
      return toStatusView((await handle.info().catch(asBadGateway))!, path);
    }

    @Sse(':id/events')
    events(@Param('id') id: string): Observable<MessageEvent> {
      return new Observable<MessageEvent>((subscriber) => {
        const handle = this.client.handle(id);
        let unsubscribe: (() => Promise<void>) | undefined;
        const emit = (record: Parameters<typeof toStatusView>[0]): void => {
          subscriber.next({ data: toStatusView(record, path) });
          if (isReadyState(record.state)) subscriber.complete();
        };
        void handle
          .watch(emit)
          .then(async (stop) => {
            unsubscribe = stop;
            const current = await handle.info();
            if (!current) subscriber.error(new NotFoundException(unknownTask(id)));
            else emit(current);
          })
          .catch((error: unknown) => subscriber.error(error));
        return () => void unsubscribe?.();
      });
    }
  }
  return TaskStatusController;
}
