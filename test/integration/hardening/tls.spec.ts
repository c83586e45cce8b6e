import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BrokerUnreachableError,
  CeleriacModule,
  type CeleriacModuleOptions,
  Task,
  TaskDefinitionError,
} from '../../../lib/index.js';
import { startWorkerApp } from '../../support/worker-app.js';
import { freePort, RedisServer } from '../redis/support/redis-server.js';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates.js';

@Injectable()
class TlsTasks {
  @Task()
  echo(value: string): string {
    return value;
  }
}

const boot = (options: CeleriacModuleOptions) =>
  Test.createTestingModule({ imports: [CeleriacModule.forRoot(options)] }).compile();

describe('TLS', () => {
  let certs: TestCertificates;
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    certs = makeTestCertificates();
    const port = await freePort();
    // TLS only (no plain port), and a client certificate required: the client must present one.
    server = await RedisServer.start([
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      certs.files.serverCert,
      '--tls-key-file',
      certs.files.serverKey,
      '--tls-ca-cert-file',
      certs.files.ca,
      '--tls-auth-clients',
      'yes',
    ]);
    url = `rediss://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server?.stop();
    certs?.remove();
  });

  it('rediss:// with a private CA and a client certificate, given once in tls: broker, backend and worker all use it', async () => {
    const app = await startWorkerApp([TlsTasks], {
      broker: url,
      prefix: `tls-${randomUUID()}`,
      tls: { ca: certs.pem.ca, cert: certs.pem.clientCert, key: certs.pem.clientKey },
      requireTls: true,
    });
    try {
      const handle = await app.client.send(TlsTasks, 'echo', ['over tls']);
      expect(await handle.wait({ timeout: 10_000 })).toBe('over tls');
    } finally {
      await app.close();
    }
  });

  it('without the CA the server certificate is refused at start-up, saying why', async () => {
    const error = (await boot({ broker: url }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect(error.message).toMatch(/certificate/i);
  });

  it.each([
    [
      'redis://127.0.0.1:6379',
      {},
      /requireTls: the broker URL \(broker, BROKER_URL\) "redis:\/\/127\.0\.0\.1:6379" is not encrypted: use rediss:\/\//,
    ],
    [
      'amqp://guest:guest@127.0.0.1:5672',
      { backend: 'rediss://127.0.0.1:6380' },
      /requireTls: the broker URL \(broker, BROKER_URL\) "amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672" is not encrypted: use amqps:\/\//,
    ],
    [
      'rediss://127.0.0.1:6380',
      { backend: 'redis://127.0.0.1:6379' },
      /requireTls: the result backend URL \(backend, RESULT_URL\) "redis:/,
    ],
  ])(
    'requireTls refuses %s (or its plain backend) at start-up, before connecting',
    async (broker, extra, message) => {
      const error = (await boot({ broker, ...extra, requireTls: true }).catch(
        (caught: unknown) => caught,
      )) as Error;
      expect(error).toBeInstanceOf(TaskDefinitionError);
      expect(error.message).toMatch(message);
    },
  );
});
