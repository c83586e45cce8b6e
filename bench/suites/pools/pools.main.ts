import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CeleriacWorker } from '../../../lib/index.js';
import { PoolsBenchModule } from './pools-bench.module.js';

// The entry pool children of the benchmark re-enter (the bench runner itself is argv[1]).
const app = await NestFactory.createMicroservice(PoolsBenchModule.forRoot('async'), {
  strategy: new CeleriacWorker(),
  logger: false,
});
await app.listen();
