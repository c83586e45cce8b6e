import type { RedisClient } from './redis-connection.js';

/** Receives each message published on a channel. */
export type MessageListener = (message: string) => void;

interface Channel {
  listeners: Set<MessageListener>;
  /** Whether Redis has acknowledged our SUBSCRIBE (and not since our UNSUBSCRIBE). */
  subscribed: boolean;
  /** SUBSCRIBE / UNSUBSCRIBE of this channel run one after another, in call order. */
  pending: Promise<void>;
}

/**
 * Every pub/sub subscription of one process on one connection. A channel is subscribed while it has
 * at least one listener and unsubscribed when its last listener leaves, so no subscription outlives
 * its waiters. `add` resolves once Redis has acknowledged the SUBSCRIBE: a read made after it cannot
 * miss a message published later. After a reconnection the hub subscribes again to exactly the
 * channels that still have listeners (ioredis' own resubscription is off: it would also revive
 * channels whose UNSUBSCRIBE failed while Redis was away) and then calls `onResubscribed`.
 */
export class SubscriptionHub {
  private readonly channels = new Map<string, Channel>();
  private connected = false;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly onResubscribed: (channels: string[]) => void,
    private readonly onListenerError: (channel: string, error: unknown) => void,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.on('close', () => {
      for (const channel of this.channels.values()) channel.subscribed = false;
    });
    subscriber.on('ready', () => {
      if (this.connected) void this.resubscribe();
      this.connected = true;
    });
  }

  /** Channels with listeners (or with a subscription change still on its way). */
  get size(): number {
    return this.channels.size;
  }

  /** Channels that currently have listeners. */
  listened(): string[] {
    return [...this.channels].filter(([, entry]) => entry.listeners.size > 0).map(([name]) => name);
  }

  /** Adds a listener; resolves with its removal once the channel's subscription is live. */
  async add(name: string, listener: MessageListener): Promise<() => Promise<void>> {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = { listeners: new Set(), subscribed: false, pending: Promise.resolve() };
      this.channels.set(name, channel);
    }
    // A listener may be added twice; each add gets its own removal.
    const own: MessageListener = (message) => listener(message);
    channel.listeners.add(own);
    try {
      await this.sync(name, channel);
    } catch (error) {
      channel.listeners.delete(own);
      await this.sync(name, channel).catch(() => undefined);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      channel.listeners.delete(own);
      await this.sync(name, channel);
    };
  }

  private async resubscribe(): Promise<void> {
    const names = [...this.channels.keys()];
    await Promise.allSettled(names.map((name) => this.sync(name, this.channels.get(name)!)));
    this.onResubscribed(this.listened());
  }

  /** Hands a message to the channel's listeners, as if it had been published. */
  deliver(name: string, message: string): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    for (const listener of [...channel.listeners]) {
      // One failing listener (or a malformed message) must not keep the others from hearing it.
      try {
        listener(message);
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }

  /** Brings the subscription in line with the listeners, after any change already under way. */
  private sync(name: string, channel: Channel): Promise<void> {
    const step = channel.pending
      .catch(() => undefined)
      .then(async () => {
        try {
          const wanted = channel.listeners.size > 0;
          if (wanted && !channel.subscribed) {
            await this.subscriber.subscribe(name);
            channel.subscribed = true;
          } else if (!wanted && channel.subscribed) {
            channel.subscribed = false;
            await this.subscriber.unsubscribe(name);
          }
        } finally {
          if (
            channel.listeners.size === 0 &&
            channel.pending === step &&
            this.channels.get(name) === channel
          ) {
            this.channels.delete(name);
          }
        }
      });
    channel.pending = step;
    return step;
  }
}
