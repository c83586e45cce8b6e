import type { ConnectionOptions } from '../brokers/broker-connection.options.js';

/** Options of every result backend. */
export interface BackendOptions extends ConnectionOptions {
  /** How long records live, in ms. */
  resultTtlMs: number;
}
