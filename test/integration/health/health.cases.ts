import { randomUUID } from 'node:crypto';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CeleriacHealthIndicator,
  CeleriacHealthModule,
  CeleriacModule,
  CeleriacWorker,
} from '../../../lib/index.js';
import { eventually } from '../redis/support/wait.js';

@Controller('ready')
class TerminusController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly celeriac: CeleriacHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.celeriac.isHealthy('celeriac', 500)]);
  }
}

@Module({ imports: [TerminusModule, CeleriacHealthModule.forRoot()], controllers: [TerminusController] })
class HealthFeatureModule {}

/** Servers a case runs against, and the fault it injects. */
export interface HealthRig {
  broker: string;
  backend: string;
  brokerKind: string;
  /** Whether cutting the broker cuts the result backend too (one Redis for both). */
  backendFollowsBroker: boolean;
  /** Takes the broker away from this process: its consumers are cut and cannot come back. */
  cut(): Promise<void>;
  /** Gives it back. */
  restore(): Promise<void>;
  /** Stops what it started and deletes what the run left under `prefix`. */
  stop(prefix: string): Promise<void>;
}

/**
 * `/health` and a terminus indicator on an HTTP app that runs a worker (and an API-only app beside
 * it): up with the worker's consumers alive; 503 with each reason once the broker cut them; up again
 * when they came back.
 */
export function describeHealthCases(title: string, startRig: () => Promise<HealthRig>): void {
  describe(title, () => {
    let rig: HealthRig;
    let worker: INestApplication;
    let api: INestApplication;
    const prefix = `health-${randomUUID()}`;

    async function appOn(withWorker: boolean): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CeleriacModule.forRoot({
            broker: rig.broker,
            backend: rig.backend,
            prefix,
            queues: { health: { pool: 'async', concurrency: 2 } },
            logger: false,
          }),
          HealthFeatureModule,
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      if (withWorker) {
        app.connectMicroservice({ strategy: new CeleriacWorker({ shutdownGraceMs: 1_000 }) });
        await app.startAllMicroservices();
      }
      await app.init();
      return app;
    }

    beforeAll(async () => {
      rig = await startRig();
      [worker, api] = await Promise.all([appOn(true), appOn(false)]);
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled([worker?.close(), api?.close()]);
      await rig?.stop(prefix);
    });

    it("reports up with this worker's consumers alive; an API-only node has no consumer check", async () => {
      const plain = await request(worker.getHttpServer()).get('/health').expect(200);
      expect(plain.body).toEqual({
        status: 'up',
        broker: { status: 'up', kind: rig.brokerKind, latencyMs: expect.any(Number) },
        backend: { status: 'up', kind: 'redis', latencyMs: expect.any(Number) },
        consumers: { status: 'up', queues: [{ queue: 'health', worker: expect.any(String), status: 'up' }] },
      });
      const terminus = await request(worker.getHttpServer()).get('/ready').expect(200);
      expect(terminus.body).toMatchObject({
        status: 'ok',
        info: { celeriac: { status: 'up', broker: { status: 'up' }, consumers: { status: 'up' } } },
      });
      const apiOnly = await request(api.getHttpServer()).get('/health').expect(200);
      expect(apiOnly.body).toMatchObject({ status: 'up', broker: { status: 'up' } });
      expect(apiOnly.body).not.toHaveProperty('consumers');
    });

    it('reports down with the reason (503) once the broker cut the consumers', async () => {
      await rig.cut();
      const plain = await request(worker.getHttpServer()).get('/health').expect(503);
      expect(plain.body).toMatchObject({
        status: 'down',
        broker: { status: 'down', kind: rig.brokerKind, error: expect.any(String) },
        backend: { status: rig.backendFollowsBroker ? 'down' : 'up', kind: 'redis' },
        consumers: {
          status: 'down',
          queues: [{ queue: 'health', status: 'down', error: expect.any(String) }],
          error: expect.stringMatching(/^queue "health": ./),
        },
      });
      const terminus = await request(worker.getHttpServer()).get('/ready').expect(503);
      expect(terminus.body).toMatchObject({
        status: 'error',
        error: { celeriac: { status: 'down', consumers: { status: 'down' } } },
      });
    });

    it('reports up again once the consumers came back', async () => {
      await rig.restore();
      const back = await eventually('the worker to be healthy again', async () => {
        const response = await request(worker.getHttpServer()).get('/health');
        return response.status === 200 ? (response.body as unknown) : undefined;
      });
      expect(back).toMatchObject({
        status: 'up',
        consumers: { status: 'up', queues: [{ queue: 'health', status: 'up' }] },
      });
    });
  });
}
