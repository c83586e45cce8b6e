import { Test } from '@nestjs/testing';
import { CeleriacModule, MissingPeerError } from '../../../lib/index.js';
import { importPeer } from '../../../lib/brokers/import-peer.js';

/** What Node throws for `import('ioredis')` when the package is not installed. */
function notInstalled(name: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${name}' imported from /app/node_modules/celeriac/dist/x.js`),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );
}

const boot = (options: { broker?: string; backend?: string }) =>
  Test.createTestingModule({ imports: [CeleriacModule.forRoot(options)] }).compile();

describe('errors that say what to do: URLs and packages', () => {
  it('a missing ioredis or amqplib names the package to install and the URL that needs it', async () => {
    const missing = importPeer('ioredis', 'redis://:secret@cache:6379', () =>
      Promise.reject(notInstalled('ioredis')),
    );
    await expect(missing).rejects.toThrow(MissingPeerError);
    await expect(missing).rejects.toThrow(
      'redis://:***@cache:6379 needs the "ioredis" package, which is not installed: run `npm install ioredis` ' +
        '(an optional peer dependency of celeriac, needed only for this kind of URL)',
    );
    await expect(
      importPeer('amqplib', 'amqp://rabbit', () => Promise.reject(notInstalled('amqplib'))),
    ).rejects.toMatchObject({ code: 'MISSING_PEER', packageName: 'amqplib' });
  });

  it('any other loading error is left as it is', async () => {
    const other = notInstalled('lodash');
    await expect(importPeer('ioredis', 'redis://x', () => Promise.reject(other))).rejects.toBe(other);
    const syntax = new SyntaxError('Unexpected token');
    await expect(importPeer('ioredis', 'redis://x', () => Promise.reject(syntax))).rejects.toBe(syntax);
  });

  it('an unsupported scheme lists the ones that work', async () => {
    await expect(boot({ broker: 'http://user:secret@queue.local' })).rejects.toThrow(
      'unsupported broker URL scheme "http:" in "http://user:***@queue.local": ' +
        'use redis://, rediss://, amqp://, amqps://, or memory:// (or no broker) for the embedded one',
    );
    await expect(boot({ backend: 'mongodb://db' })).rejects.toThrow(
      'unsupported result backend URL scheme "mongodb:" in "mongodb://db": use redis://, rediss://, or memory://',
    );
  });

  it('a host and port without a scheme is not mistaken for a scheme', async () => {
    await expect(boot({ broker: 'localhost:6379' })).rejects.toThrow(
      '"localhost:6379" is not a URL: write it with its scheme, e.g. redis://127.0.0.1:6379',
    );
  });
});
