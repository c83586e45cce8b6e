import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { Task, TaskState } from '../../../lib/index.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

const seen: { type: string; args: unknown[] }[] = [];

@Injectable()
class OnlyPositive implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.push({ type: context.getType(), args: context.getArgs() });
    return (context.getArgs()[0] as number) > 0;
  }
}

@Injectable()
class Envelope implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value })));
  }
}

@Injectable()
@UseInterceptors(Envelope)
class GuardedTasks {
  @Task()
  @UseGuards(OnlyPositive)
  double(n: number): number {
    return n * 2;
  }
}

describe('Nest enhancers around tasks', () => {
  let w: WorkerApp;
  beforeEach(async () => {
    seen.length = 0;
    w = await startWorkerApp([GuardedTasks, OnlyPositive, Envelope]);
  });
  afterEach(() => w.close());

  it('guards see the task arguments under the celeriac context type; interceptors shape the result', async () => {
    expect(await (await w.client.send(GuardedTasks, 'double', [21])).wait({ timeout: 5_000 })).toEqual({
      wrapped: 42,
    });
    expect(seen).toEqual([{ type: 'celeriac', args: [21] }]);
  });

  it('a guard that refuses fails the task with a Forbidden error', async () => {
    const record = await (
      await w.client.send(GuardedTasks, 'double', [-1])
    ).waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.error).toMatchObject({ name: 'ForbiddenException', message: 'Forbidden resource' });
  });
});
