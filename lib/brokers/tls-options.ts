import type { ConnectionOptions as NodeTlsOptions } from 'node:tls';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { redactUrl, schemeOf } from './broker-url.js';

/**
 * TLS settings of every encrypted connection (`rediss://`, `amqps://`) Celeriac opens: broker,
 * result backend, control plane. Given once, in `CeleriacModule.forRoot({ tls })`; PEM contents
 * (read the files yourself, e.g. `readFileSync('ca.pem')`). Plain URLs ignore them.
 */
export type TlsOptions = Pick<
  NodeTlsOptions,
  'ca' | 'cert' | 'key' | 'passphrase' | 'servername' | 'rejectUnauthorized'
>;

/** Schemes whose connections are encrypted, or never leave the process. */
const SAFE_SCHEMES = new Set(['rediss', 'amqps', 'memory']);

/** With `requireTls`, a plain `redis://` / `amqp://` URL is a bootstrap error naming the setting. */
export function checkTlsRequired(url: string, setting: string): void {
  const scheme = schemeOf(url);
  if (SAFE_SCHEMES.has(scheme)) return;
  const secure = scheme === 'amqp' ? 'amqps://' : scheme === 'redis' ? 'rediss://' : 'rediss:// or amqps://';
  throw new TaskDefinitionError(
    `requireTls: ${setting} "${redactUrl(url)}" is not encrypted: use ${secure} (TLS), ` +
      'or leave requireTls unset where plain connections are acceptable',
  );
}

/** `tls` for a client of `url`: the module's settings for an encrypted scheme, nothing otherwise. */
export function tlsFor(url: string, tls: TlsOptions | undefined): TlsOptions | undefined {
  const scheme = schemeOf(url);
  return scheme === 'rediss' || scheme === 'amqps' ? (tls ?? {}) : undefined;
}
