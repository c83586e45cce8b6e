/**
 * A worker process of the soak: a Nest microservice with CeleriacModule (options as JSON in
 * SOAK_OPTIONS) and SoakTasks. It is also the entry its `threads` pool children re-enter. It writes
 * `{"event":"listening"}` on stdout once it consumes, and answers each `stats` / `stats gc` line on
 * stdin with a `{"event":"stats"}` line: RSS, heap and the active resources of its main thread
 * (`gc` first collects garbage, when node runs with --expose-gc).
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, type CeleriacModuleOptions, CeleriacWorker } from '../../lib/index.js';
import { SoakTasks } from './soak-tasks.js';
import { workerStats } from './worker-stats.js';

const options = JSON.parse(process.env.SOAK_OPTIONS ?? '{}') as CeleriacModuleOptions;

@Module({ imports: [CeleriacModule.forRoot(options)], providers: [SoakTasks] })
class SoakWorkerModule {}

const app = await NestFactory.createMicroservice(SoakWorkerModule, {
  strategy: new CeleriacWorker({ shutdownGraceMs: 5_000 }),
  logger: ['error', 'warn'],
});
// A pool child never gets past listen(): what follows runs in the worker process alone.
await app.listen();
const write = (event: object): boolean => process.stdout.write(`${JSON.stringify(event)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('stats')) write({ event: 'stats', ...workerStats(line.includes('gc')) });
});
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
write({ event: 'listening', pid: process.pid });
