import { MissingPeerError } from '../errors/missing-peer.error.js';
import { redactUrl } from './broker-url.js';

/**
 * Loads the implementation behind a URL, turning "module not found" for its client library into
 * an error that names the package to install and the URL that needs it.
 */
export async function importPeer<T>(packageName: string, url: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerError(packageName, redactUrl(url), error);
    throw error;
  }
}

/** Node says `Cannot find package 'ioredis' imported from …` (ESM) or `Cannot find module 'ioredis'`. */
function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && new RegExp(`['"]${packageName}(/[^'"]*)?['"]`).test(message);
}
