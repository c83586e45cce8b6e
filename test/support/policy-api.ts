import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleriacModule } from '../../lib/index.js';
import { PolicyTasks } from './policy-tasks.js';

/**
 * An API node of the policy specs: producer only, sending `PolicyTasks` to worker processes that
 * consume the `default` queue. The Redis broker's and backend's start-up checks are off (the shared
 * Redis is not configured for production).
 */
export async function startPolicyApi(options: {
  broker: string;
  backend?: string;
  prefix: string;
}): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CeleriacModule.forRoot({
        broker: options.broker,
        backend: options.backend,
        prefix: options.prefix,
        producerOnly: true,
        queues: { default: {} },
        logger: false,
        brokerOptions: options.broker.startsWith('redis') ? { checkConfig: false } : {},
        backendOptions: { checkConfig: false },
      }),
    ],
    providers: [PolicyTasks],
  }).compile();
  return moduleRef.init();
}
