import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { catchError, map, type Observable, throwError } from 'rxjs';
import { TaskState } from '../backends/task-state.js';
import { TaskHandle } from '../client/task.handle.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { TASK_STATUS_PATH, taskStatusUrl } from './task-status-path.js';

/** Body of a 202 response. */
export interface AcceptedBody {
  id: string;
  state: TaskState;
  links: { status: string };
}

interface HeaderWriter {
  setHeader?(name: string, value: string): void;
  header?(name: string, value: string): void;
  status?(code: number): unknown;
  code?(code: number): unknown;
}

/**
 * Turns a returned {@link TaskHandle} into `202 Accepted` + `Location` + {@link AcceptedBody}; a send
 * refused for its arguments ({@link InvalidArgumentsError}) becomes `400 Bad Request` with the issues.
 */
@Injectable()
export class AcceptedInterceptor implements NestInterceptor {
  constructor(@Optional() @Inject(TASK_STATUS_PATH) private readonly path: string = 'tasks') {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof TaskHandle)) return value;
        const location = taskStatusUrl(this.path, value.id);
        const response = context.switchToHttp().getResponse<HeaderWriter>();
        setStatus(response, 202);
        setHeader(response, 'Location', location);
        const body: AcceptedBody = { id: value.id, state: TaskState.PENDING, links: { status: location } };
        return body;
      }),
      catchError((error: unknown) => throwError(() => asBadRequest(error))),
    );
  }
}

function asBadRequest(error: unknown): unknown {
  if (!(error instanceof InvalidArgumentsError)) return error;
  return new BadRequestException(
    {
      statusCode: 400,
      error: 'Bad Request',
      code: error.code,
      message: error.message,
      task: error.taskName,
      issues: error.issues,
    },
    { cause: error },
  );
}

function setHeader(response: HeaderWriter, name: string, value: string): void {
  if (response.setHeader) response.setHeader(name, value);
  else response.header?.(name, value);
}

function setStatus(response: HeaderWriter, code: number): void {
  if (response.status) response.status(code);
  else response.code?.(code);
}
