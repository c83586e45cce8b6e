import { CeleriacError } from './celeriac.error.js';

/**
 * A broker or backend URL needs a client library that is not installed (`ioredis` for
 * `redis://`, `amqplib` for `amqp://`): Celeriac loads them only for the URLs that use them.
 */
export class MissingPeerError extends CeleriacError {
  constructor(
    readonly packageName: string,
    url: string,
    cause?: unknown,
  ) {
    super(
      'MISSING_PEER',
      `${url} needs the "${packageName}" package, which is not installed: run \`npm install ${packageName}\` ` +
        '(an optional peer dependency of celeriac, needed only for this kind of URL)',
    );
    if (cause !== undefined) this.cause = cause;
  }
}
