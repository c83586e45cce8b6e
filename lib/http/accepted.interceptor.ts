import {
  BadRequestException,
  ServiceUnavailableException,
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
import { BrokerUnavailableError } from '../errors/broker-unavailable.error.js';
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

/** Seconds a client is told to wait (`Retry-After`) before sending again when the broker is unavailable. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Turns a returned {@link TaskHandle} into `202 Accepted` + `Location` + {@link AcceptedBody}; a send
 * refused for its arguments ({@link InvalidArgumentsError}) becomes `400 Bad Request` with the issues,
 * and a send the broker did not confirm ({@link BrokerUnavailableError}: down, frozen past its deadline)
 * becomes `503 Service Unavailable` with `Retry-After` — never a 202 for a task that was not accepted.
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
      catchError((error: unknown) => {
        if (error instanceof BrokerUnavailableError) {
          const response = context.switchToHttp().getResponse<HeaderWriter>();
          setHeader(response, 'Retry-After', String(RETRY_AFTER_SECONDS));
          return throwError(() => asServiceUnavailable(error));
        }
        return throwError(() => asBadRequest(error));
      }),
    );
  }
}

/** The body names no host: the reason (with the broker's address) stays in the error's cause, server-side. */
function asServiceUnavailable(error: BrokerUnavailableError): ServiceUnavailableException {
  return new ServiceUnavailableException(
    {
      statusCode: 503,
      error: 'Service Unavailable',
      code: error.code,
      message: 'the task was not accepted: the task broker is unavailable; try again later',
    },
    { cause: error },
  );
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
