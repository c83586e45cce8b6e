import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Scope,
  UsePipes,
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Type as TransformType } from 'class-transformer';
import { IsEmail, IsInt, Min, ValidateNested } from 'class-validator';
import { CeleriacModule, Task, TaskDefinitionError, TaskState } from '../../../lib/index.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

class Address {
  @IsEmail()
  email!: string;
}

class Signup {
  @ValidateNested()
  @TransformType(() => Address)
  contact!: Address;

  @IsInt()
  @Min(1)
  seats!: number;
}

/** Doubles a number argument: proves pipes may replace arguments. */
@Injectable()
class DoubleNumbers implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.metatype === Number ? (value as number) * 2 : value;
  }
}

@Injectable()
class PipedTasks {
  @Task({ retries: 3, backoff: 10 })
  @UsePipes(new ValidationPipe({ transform: true }))
  signup(input: Signup, note: string = 'none'): string {
    // A DTO instance, built by the pipe: its class is known here.
    return `${input instanceof Signup ? 'Signup' : 'plain'} ${input.contact.email} × ${input.seats} (${note})`;
  }

  @Task()
  @UsePipes(DoubleNumbers)
  add(a: number, b: number): number {
    return a + b;
  }
}

describe('Nest pipes on task methods', () => {
  let w: WorkerApp;
  beforeAll(async () => {
    w = await startWorkerApp([PipedTasks, DoubleNumbers]);
  });
  afterAll(() => w.close());

  it('a ValidationPipe transforms arguments into DTO instances, as on a controller', async () => {
    const handle = await w.client.send(PipedTasks, 'signup', [
      { contact: { email: 'ada@example.com' }, seats: 2 },
      'vip',
    ] as never);
    expect(await handle.wait({ timeout: 5_000 })).toBe('Signup ada@example.com × 2 (vip)');
  });

  it('a ValidationPipe rejects invalid arguments; the task fails with its BadRequest, without retrying', async () => {
    const handle = await w.client.send(PipedTasks, 'signup', [
      { contact: { email: 'not-an-email' }, seats: 0 },
    ] as never);
    const record = await handle.waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.retries).toBe(0);
    expect(record.error?.name).toBe('BadRequestException');
  });

  it('a pipe sees every argument with its declared type and may replace it', async () => {
    expect(await (await w.client.send(PipedTasks, 'add', [1, 2])).wait({ timeout: 5_000 })).toBe(6);
  });
});

@Injectable({ scope: Scope.REQUEST })
class RequestScopedTasks {
  @Task()
  run(): void {}
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientTasks {
  @Task()
  run(): void {}
}

@Injectable()
class DependsOnRequest {
  constructor(@Inject(REQUEST) readonly request: unknown) {}

  @Task()
  run(): void {}
}

async function boot(providers: Type<unknown>[]): Promise<void> {
  const moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ prefix: `test-${randomUUID()}` })],
    providers,
  }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close();
  }
}

describe('@Task on scoped providers', () => {
  it('is a bootstrap error on a request-scoped provider, saying why', async () => {
    const failure = boot([RequestScopedTasks]);
    await expect(failure).rejects.toThrow(TaskDefinitionError);
    await expect(boot([RequestScopedTasks])).rejects.toThrow(
      '@Task on RequestScopedTasks.run(): RequestScopedTasks is request-scoped (Scope.REQUEST), but a task runs on a worker outside any request',
    );
  });

  it('is a bootstrap error on a transient provider', async () => {
    await expect(boot([TransientTasks])).rejects.toThrow(
      '@Task on TransientTasks.run(): TransientTasks is transient (Scope.TRANSIENT)',
    );
  });

  it('is a bootstrap error on a provider made request-scoped by its dependencies', async () => {
    await expect(boot([DependsOnRequest])).rejects.toThrow(
      '@Task on DependsOnRequest.run(): DependsOnRequest depends on a request-scoped provider',
    );
  });
});
