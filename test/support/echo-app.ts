import { Controller, type INestApplication, Injectable, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Accepted,
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacWorker,
  Task,
  TaskClient,
  type TaskHandle,
} from '../../lib/index.js';

@Injectable()
export class EchoTasks {
  @Task()
  echo(value: number): number {
    return value;
  }
}

/** `POST /echo` sends `EchoTasks.echo(0)` through `@Accepted()`. */
@Controller('echo')
class EchoController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  send(): Promise<TaskHandle<number>> {
    return this.tasks.send(EchoTasks, 'echo', [0]);
  }
}

/** An HTTP application with an embedded worker, for tests that fault the broker under it. */
export async function startEchoApp(
  options: CeleriacModuleOptions,
): Promise<{ app: INestApplication; client: TaskClient }> {
  const moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot(options)],
    providers: [EchoTasks],
    controllers: [EchoController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.connectMicroservice({ strategy: new CeleriacWorker({ shutdownGraceMs: 1_000 }) });
  await app.startAllMicroservices();
  await app.init();
  return { app, client: app.get(TaskClient) };
}
