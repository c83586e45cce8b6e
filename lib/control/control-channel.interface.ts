import type { Unsubscribe } from '../backends/result-backend.interface.js';

/** Receives one message of a control channel, as the sender wrote it (it may be garbage). */
export type ControlMessageListener = (message: string) => void;

/** Where replies to this process arrive, until `close()`. */
export interface ControlInbox {
  /** What a request carries so that replies find their way here. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * The transport of remote control: a broadcast that reaches every listening worker, and inboxes
 * that replies are sent to. It carries text and promises nothing about its content; requests,
 * replies and the gathering of replies within a timeout are built on it ({@link ControlClient},
 * the worker's control server). Delivery is at most once, to whoever listens at that moment, like
 * Celery's pidbox: durable effects (revocations) are stored elsewhere. Implementations: memory,
 * redis (pub/sub), amqp (a fanout exchange and exclusive queues).
 */
export interface ControlChannel {
  /** `memory`, `redis`, `amqp`. */
  readonly kind: string;
  connect(): Promise<void>;
  /** Sends `message` to every current listener (in every process); resolves once it is sent. */
  broadcast(message: string): Promise<void>;
  /**
   * Calls `listener` with every message broadcast from now on; resolves once listening. After the
   * connection was lost and is back (messages may have been missed meanwhile) `onResumed` is called.
   */
  listen(listener: ControlMessageListener, onResumed?: () => void): Promise<Unsubscribe>;
  /** Opens an inbox of this process; resolves once messages sent to its address arrive. */
  openInbox(listener: ControlMessageListener): Promise<ControlInbox>;
  /** Sends `message` to an inbox's address. */
  send(address: string, message: string): Promise<void>;
  close(): Promise<void>;
}
