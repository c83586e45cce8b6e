import { randomUUID } from 'node:crypto';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CeleriacHealthIndicator, CeleriacHealthModule, CeleriacModule } from '../../../lib/index.js';
import { RedisServer } from '../redis/support/redis-server.js';

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

describe('health checks: plain /health and a @nestjs/terminus indicator (Redis of its own)', () => {
  let redis: RedisServer;
  let app: INestApplication;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({ broker: redis.url, prefix: `health-${randomUUID()}` }),
        HealthFeatureModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await redis.stop();
  });

  it('reports up while the broker and backend answer', async () => {
    const plain = await request(app.getHttpServer()).get('/health').expect(200);
    expect(plain.body).toEqual({
      status: 'up',
      broker: { status: 'up', kind: 'redis', latencyMs: expect.any(Number) },
      backend: { status: 'up', kind: 'redis', latencyMs: expect.any(Number) },
    });
    const terminus = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(terminus.body).toMatchObject({
      status: 'ok',
      info: { celeriac: { status: 'up', broker: { status: 'up' }, backend: { status: 'up' } } },
    });
  });

  it('reports down with the reason (503) when Redis is gone', async () => {
    await redis.kill();
    const plain = await request(app.getHttpServer()).get('/health').expect(503);
    expect(plain.body).toMatchObject({
      status: 'down',
      broker: { status: 'down', kind: 'redis', error: expect.any(String) },
      backend: { status: 'down', kind: 'redis', error: expect.any(String) },
    });
    const terminus = await request(app.getHttpServer()).get('/ready').expect(503);
    expect(terminus.body).toMatchObject({ status: 'error', error: { celeriac: { status: 'down' } } });
  });
});
