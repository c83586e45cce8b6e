import { createServer } from 'node:net';
import { Test } from '@nestjs/testing';
import { BrokerUnreachableError, CeleriacModule } from '../../../lib/index.js';

/** A local port nothing listens on: bound once by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const boot = (options: { broker?: string; backend?: string }) =>
  Test.createTestingModule({ imports: [CeleriacModule.forRoot(options)] }).compile();

describe('broker unreachable at start-up', () => {
  it.each([
    ['Redis', (port: number) => `redis://:s3cret@127.0.0.1:${port}`],
    ['RabbitMQ', (port: number) => `amqp://guest:s3cret@127.0.0.1:${port}`],
  ])('%s: names host, port and cause, hides the password, says what to check', async (_name, urlFor) => {
    const port = await closedPort();
    const error = (await boot({ broker: urlFor(port) }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', host: '127.0.0.1', port });
    expect(error.message).toBe(
      `cannot reach the broker at 127.0.0.1:${port} (${urlFor(port).replace('s3cret', '***')}): ` +
        `connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Start it there, or point BROKER_URL (CeleriacModule.forRoot({ broker })) at one that is running.',
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('a result backend that cannot be reached says so, naming its own setting', async () => {
    const port = await closedPort();
    await expect(boot({ backend: `redis://127.0.0.1:${port}` })).rejects.toThrow(
      `cannot reach the result backend at 127.0.0.1:${port} (redis://127.0.0.1:${port}): ` +
        `connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Start it there, or point RESULT_URL (CeleriacModule.forRoot({ backend })) at one that is running.',
    );
  });
});
