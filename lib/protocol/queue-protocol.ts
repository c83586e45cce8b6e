/**
 * The wire format of a queue. `celeriac`: Celeriac's own JSON envelope and naming. `celery`: Celery's
 * message protocol v2 on Celery's own queue names and layout, so Python Celery apps share the queue.
 */
export type QueueProtocol = 'celeriac' | 'celery';

export const QUEUE_PROTOCOLS: readonly QueueProtocol[] = ['celeriac', 'celery'];

/** Queue name → protocol, for the queues whose protocol is not Celeriac's own. */
export type QueueProtocols = Readonly<Record<string, QueueProtocol>>;

/** The protocol of `queue`: `celeriac` unless the table declares another (a foreign wire mode). */
export function protocolOf(protocols: QueueProtocols | undefined, queue: string): QueueProtocol {
  return protocols?.[queue] ?? 'celeriac';
}

/** True when `queue` speaks a foreign wire format (its messages are not Celeriac envelopes). */
export function isForeignWire(protocols: QueueProtocols | undefined, queue: string): boolean {
  return protocolOf(protocols, queue) !== 'celeriac';
}

/** The foreign-protocol entries of a queue table (`{ legacy: { protocol: 'celery' } }` → `{ legacy: 'celery' }`). */
export function protocolsOf(queues: Record<string, { protocol?: QueueProtocol }>): QueueProtocols {
  const table: Record<string, QueueProtocol> = {};
  for (const [name, queue] of Object.entries(queues)) {
    if (queue.protocol && queue.protocol !== 'celeriac') table[name] = queue.protocol;
  }
  return table;
}
