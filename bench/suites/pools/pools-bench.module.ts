import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { CeleriacModule, Task, type PoolKind } from '../../../lib/index.js';
import { burn } from './cpu-work.js';

@Injectable()
export class PoolBenchTasks {
  @Task({ queue: 'work' })
  cpu(iterations: number): number {
    return burn(iterations);
  }

  @Task({ queue: 'work' })
  noop(n: number): number {
    return n;
  }
}

/** The benchmark's application; pool children boot it from `pools.main.ts`. */
@Module({})
export class PoolsBenchModule {
  static forRoot(
    pool: PoolKind,
    options: { prefix?: string; broker?: string; entry?: string } = {},
  ): DynamicModule {
    const child = pool === 'threads' || pool === 'processes';
    return {
      module: PoolsBenchModule,
      imports: [
        CeleriacModule.forRoot({
          prefix: options.prefix,
          broker: options.broker,
          queues: { work: { pool, concurrency: 2, ...(child ? { entry: options.entry } : {}) } },
        }),
      ],
      providers: [PoolBenchTasks],
    };
  }
}
