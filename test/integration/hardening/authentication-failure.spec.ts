import { Test } from '@nestjs/testing';
import { BrokerAuthenticationError, CeleriacModule } from '../../../lib/index.js';
import { RedisServer } from '../redis/support/redis-server.js';

const boot = (options: { broker?: string; backend?: string }) =>
  Test.createTestingModule({ imports: [CeleriacModule.forRoot(options)] }).compile();

async function bootError(options: { broker?: string; backend?: string }): Promise<Error> {
  return (await boot(options).then(
    () => new Error('booted'),
    (error: unknown) => error,
  )) as Error;
}

describe('credentials refused at start-up', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start(['--requirepass', 'right-one']);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('Redis, wrong password: "authentication failed", the server\'s words, the URL redacted, the setting to check', async () => {
    const url = `redis://:wrong-one@127.0.0.1:${server.port}`;
    const error = await bootError({ broker: url });
    expect(error).toBeInstanceOf(BrokerAuthenticationError);
    expect(error).toMatchObject({
      code: 'BROKER_AUTHENTICATION_FAILED',
      host: '127.0.0.1',
      port: server.port,
    });
    expect(error.message).toBe(
      `authentication failed for the broker at 127.0.0.1:${server.port} (redis://:***@127.0.0.1:${server.port}): ` +
        'WRONGPASS invalid username-password pair or user is disabled. ' +
        'Check the user name and password in BROKER_URL (CeleriacModule.forRoot({ broker })).',
    );
    expect(error.message).not.toContain('wrong-one');
  });

  it('Redis, no password where one is required: the result backend says so, naming its setting', async () => {
    const error = await bootError({ backend: `redis://127.0.0.1:${server.port}` });
    expect(error).toBeInstanceOf(BrokerAuthenticationError);
    expect(error.message).toMatch(
      /^authentication failed for the result backend at 127\.0\.0\.1:\d+ \(redis:\/\/127\.0\.0\.1:\d+\): NOAUTH Authentication required\. Check the user name and password in RESULT_URL/,
    );
  });

  it('RabbitMQ, wrong password: "authentication failed" with ACCESS_REFUSED, the password hidden', async () => {
    const error = await bootError({ broker: 'amqp://guest:not-guest@127.0.0.1:5672' });
    expect(error).toBeInstanceOf(BrokerAuthenticationError);
    expect(error.message).toMatch(
      /^authentication failed for the broker at 127\.0\.0\.1:5672 \(amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672\): .*ACCESS_REFUSED/,
    );
    expect(error.message).not.toContain('not-guest');
  });
});
