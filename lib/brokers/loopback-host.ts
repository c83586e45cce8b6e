import { isIP } from 'node:net';

/**
 * Whether `host` (as a URL spells it) names this machine over the loopback interface: `localhost`,
 * 127.0.0.0/8, `::1`. Anything else may be reached over a network, where a missing password or a
 * default user is open to whoever else can reach it.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}
