import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import { CELERIAC_BACKEND } from '../celeriac.constants.js';
import type { JsonValue } from '../protocol/json-value.js';
import { CeleriacEvents } from './celeriac-events.service.js';
import { ControlClient, type ControlCallOptions } from './control-client.js';
import type { ControlCommandName, ControlCommands } from './control-commands.js';
import type { ControlReply, ControlRequest } from './control-message.js';
import { ControlPlaneConnection } from './control-plane.connection.js';
import { registerRevoker } from './revocation.js';
import type { WorkerInfo } from './worker-registry.js';

type Reply<C extends ControlCommandName> = Promise<ControlReply<ControlCommands[C]['reply']>[]>;

/** What `revoke` does besides stopping the task. */
export interface RevokeOptions extends ControlCallOptions {
  /** Also kill the thread or process running it (threads / processes pools), not only abort its signal. */
  terminate?: boolean;
}

/**
 * Remote control and inspection of workers, Celery's `inspect` and `control` as a Nest service.
 * Every call goes to every worker, or to those named in `destination` (ids as `workers()` lists
 * them), and gathers the replies within `timeoutMs` (default 1 s): a broadcast resolves with what
 * arrived; a call to named workers rejects with a `ControlTimeoutError` naming those that did not
 * answer. Each reply says which worker sent it and either its `value` or its `error`.
 */
@Injectable()
export class CeleriacControl implements OnApplicationShutdown {
  private client?: ControlClient;

  constructor(
    private readonly connection: ControlPlaneConnection,
    private readonly events: CeleriacEvents,
    @Inject(CELERIAC_BACKEND) private readonly backend: ResultBackend,
  ) {
    registerRevoker(backend, (ids, { terminate }) => this.castRevoke(ids, terminate ?? false));
  }

  ping(options?: ControlCallOptions): Reply<'ping'> {
    return this.send('ping', {}, options);
  }

  /** Tasks running now. */
  active(options?: ControlCallOptions): Reply<'active'> {
    return this.send('active', {}, options);
  }

  /** Tasks received (prefetched) and not started yet. */
  reserved(options?: ControlCallOptions): Reply<'reserved'> {
    return this.send('reserved', {}, options);
  }

  /** Tasks a worker holds until a due time (its per-worker rate limit); countdown/ETA tasks wait in the broker. */
  scheduled(options?: ControlCallOptions): Reply<'scheduled'> {
    return this.send('scheduled', {}, options);
  }

  registered(options?: ControlCallOptions): Reply<'registered'> {
    return this.send('registered', {}, options);
  }

  stats(options?: ControlCallOptions): Reply<'stats'> {
    return this.send('stats', {}, options);
  }

  /** The queues each worker consumes, with pool and concurrency. */
  queues(options?: ControlCallOptions): Reply<'queues'> {
    return this.send('queues', {}, options);
  }

  conf(options?: ControlCallOptions): Reply<'conf'> {
    return this.send('conf', {}, options);
  }

  /**
   * Revokes tasks: a mark kept for the result TTL means no worker starts them, even one that starts
   * later; a worker holding one aborts it (and with `terminate`, kills its thread or process) and
   * records REVOKED. The replies say which worker held which task.
   */
  async revoke(ids: string | readonly string[], options: RevokeOptions = {}): Reply<'revoke'> {
    const list = typeof ids === 'string' ? [ids] : [...ids];
    await Promise.all(list.map((id) => this.backend.revoke(id)));
    return this.send('revoke', { ids: list, terminate: options.terminate ?? false }, options);
  }

  /** Sets the per-worker start rate of `task` (`'10/s'`, `'100/m'`, a number per second; null: unlimited) until restart. */
  rateLimit(task: string, rate: string | number | null, options?: ControlCallOptions): Reply<'rate_limit'> {
    return this.send('rate_limit', { task, rate }, options);
  }

  /** Sets the soft time limit of `task` in ms (0 or null: none) until restart. */
  timeLimit(task: string, ms: number | null, options?: ControlCallOptions): Reply<'time_limit'> {
    return this.send('time_limit', { task, ms }, options);
  }

  /** Starts consuming `queue` (one of the module's queue table). */
  addConsumer(queue: string, options?: ControlCallOptions): Reply<'add_consumer'> {
    return this.send('add_consumer', { queue }, options);
  }

  /** Stops consuming `queue`; the tasks held from it finish. */
  cancelConsumer(queue: string, options?: ControlCallOptions): Reply<'cancel_consumer'> {
    return this.send('cancel_consumer', { queue }, options);
  }

  /** Sets how many tasks of `queue` run at once (async, threads, processes pools) and the prefetch with it. */
  poolResize(queue: string, concurrency: number, options?: ControlCallOptions): Reply<'pool_resize'> {
    return this.send('pool_resize', { queue, concurrency }, options);
  }

  /** Graceful shutdown: the worker stops fetching, finishes (or requeues) what it holds, and exits. */
  shutdown(options?: ControlCallOptions): Reply<'shutdown'> {
    return this.send('shutdown', {}, options);
  }

  /** Any command, including ones added by an application. */
  async call<T = JsonValue>(
    command: string,
    args: ControlRequest['args'] = {},
    options?: ControlCallOptions,
  ): Promise<ControlReply<T>[]> {
    return (await this.controlClient()).call<T>(command, args, options);
  }

  /**
   * Workers known from their heartbeats: online, offline (said goodbye) or lost (three missed
   * beats). The first call starts listening and waits one heartbeat interval (`waitMs`, default
   * 2.2 s) so that live workers have been heard; later calls answer at once.
   */
  async workers(options: { waitMs?: number } = {}): Promise<WorkerInfo[]> {
    if (!this.tracking) {
      this.tracking = this.events.trackWorkers();
      await this.tracking;
      await new Promise((resolve) => setTimeout(resolve, options.waitMs ?? 2_200));
    }
    await this.tracking;
    return this.events.registry.list();
  }

  private tracking?: Promise<unknown>;

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private async send<C extends ControlCommandName>(
    command: C,
    args: ControlRequest['args'],
    options?: ControlCallOptions,
  ): Reply<C> {
    return (await this.controlClient()).call<ControlCommands[C]['reply']>(command, args, options);
  }

  private async castRevoke(ids: string[], terminate: boolean): Promise<void> {
    await Promise.all(ids.map((id) => this.backend.revoke(id)));
    await (await this.controlClient()).cast('revoke', { ids, terminate });
  }

  private async controlClient(): Promise<ControlClient> {
    if (this.client) return this.client;
    const plane = await this.connection.get();
    this.client ??= new ControlClient(plane.control, undefined, this.connection.loggerFor('CeleriacControl'));
    return this.client;
  }
}
