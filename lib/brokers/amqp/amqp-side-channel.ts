import type { Channel } from 'amqplib';
import type { AmqpConnection } from './amqp.connection.js';
import { closeWithin } from './amqp-deadline.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** Declares and consumes on a channel; run again on every channel that replaces it. */
export type ChannelSetup = (channel: Channel) => Promise<void>;

const REOPEN_DELAY_MS = 1_000;

/**
 * A plain (unconfirmed) channel for the control plane, on a connection that comes back by itself.
 * Setups registered with `keep` (declarations, consumers) are run on the channel now and again on
 * each channel that replaces it — after a reconnect, or after a channel error closed it — and then
 * `onResumed` is called, since messages may have been missed in between.
 */
export class AmqpSideChannel {
  private opening?: Promise<Channel>;
  private current?: Channel;
  private readonly setups = new Set<ChannelSetup>();
  /** Channels the setups already ran on: a reconnect and a channel's own close both lead here. */
  private readonly resumedOn = new WeakSet<Channel>();
  private readonly logger: CeleriacLogger;
  private reopenTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly onResumed: () => void,
  ) {
    this.logger = connection.loggerFor('Celeriac amqp control');
    connection.onReconnect(() => this.reopen());
  }

  /** The open channel (opened on first use). */
  channel(): Promise<Channel> {
    if (this.current) return Promise.resolve(this.current);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** Runs `setup` now and on every later channel; resolves with its removal. */
  async keep(setup: ChannelSetup): Promise<() => void> {
    const channel = await this.channel();
    this.resumedOn.add(channel);
    await setup(channel);
    this.setups.add(setup);
    return () => this.setups.delete(setup);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    this.setups.clear();
    const channel = this.current ?? (await this.opening?.catch(() => undefined));
    this.current = undefined;
    if (channel) await closeWithin(channel.close(), this.connection.closeTimeoutMs);
  }

  private async open(): Promise<Channel> {
    const model = await this.connection.acquire();
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.warn(`channel error: ${error.message}`));
    channel.on('close', () => {
      if (this.current !== channel) return;
      this.current = undefined;
      // A channel error (not a lost connection, which onReconnect handles) closes only the channel.
      if (!this.closed && !this.connection.isClosed) {
        this.reopenTimer = setTimeout(() => this.reopen(), REOPEN_DELAY_MS);
        this.reopenTimer.unref();
      }
    });
    this.current = channel;
    return channel;
  }

  private reopen(): void {
    if (this.closed || this.setups.size === 0) return;
    void (async () => {
      try {
        const channel = await this.channel();
        if (this.resumedOn.has(channel)) return;
        this.resumedOn.add(channel);
        for (const setup of [...this.setups]) await setup(channel);
        this.onResumed();
      } catch (error) {
        if (this.current) this.resumedOn.delete(this.current);
        this.logger.warn(`could not resume the control plane yet: ${(error as Error).message}`);
        this.reopenTimer = setTimeout(() => this.reopen(), REOPEN_DELAY_MS);
        this.reopenTimer.unref();
      }
    })();
  }
}
