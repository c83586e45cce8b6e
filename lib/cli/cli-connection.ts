import type { ResultBackend } from '../backends/result-backend.interface.js';
import { createBackend } from '../backends/create-backend.js';
import type { Broker } from '../brokers/broker.interface.js';
import { redactUrl, schemeOf } from '../brokers/broker-url.js';
import { createBroker } from '../brokers/create-broker.js';
import { DEFAULT_RESULT_TTL_MS } from '../celeriac.constants.js';
import { ControlClient } from '../control/control-client.js';
import { type ControlPlane, createControlPlane } from '../control/control-plane.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { QueueProtocols } from '../protocol/queue-protocol.js';
import { CliError, ExitCode } from './exit-code.js';

/** Where the CLI connects: the global options after the environment filled them in. */
export interface ConnectionSettings {
  broker?: string;
  backend?: string;
  prefix: string;
  /** How long to wait for a server to answer a connection, in ms. */
  connectTimeoutMs: number;
}

/** Queues of a foreign wire mode, and the broker settings they need (`extra`, as `brokerOptions`). */
export interface BrokerLayout {
  protocols?: QueueProtocols;
  extra?: Record<string, unknown>;
}

/** The result backend's record formats (`backendOptions.format`). */
export type RecordFormatName = 'celeriac' | 'celery';

/**
 * The broker and result backend of one CLI run, each connected on first use (a command that needs
 * only the broker never dials the backend) and closed when the run ends. Connection failures
 * become {@link CliError}s that say which server, at which (password-free) URL, and why.
 */
export class CliConnection {
  /** One broker per wire layout asked for (most runs ask for the default one only). */
  private readonly brokers = new Map<string, Promise<Broker>>();
  /** One result backend per record format asked for. */
  private readonly backends = new Map<string, Promise<ResultBackend>>();
  private plane?: Promise<ControlPlane>;
  private control?: ControlClient;

  constructor(readonly settings: ConnectionSettings) {}

  /** The broker URL, checked: the CLI runs in a process of its own, so the embedded broker is useless. */
  get brokerUrl(): string {
    const url = this.settings.broker;
    if (!url)
      throw new CliError(ExitCode.USAGE, 'no broker: pass --broker redis://… or amqp://…, or set BROKER_URL');
    const scheme = checkedScheme(url, 'broker');
    if (scheme === 'memory') {
      throw new CliError(
        ExitCode.USAGE,
        'the embedded broker (memory://) lives inside one application process; point the CLI at redis:// or amqp://',
      );
    }
    return url;
  }

  /** The result backend URL: `--backend` / RESULT_URL, else the broker's Redis (as the module defaults). */
  get backendUrl(): string {
    if (this.settings.backend) {
      checkedScheme(this.settings.backend, 'result backend');
      return this.settings.backend;
    }
    const broker = this.brokerUrl;
    if (['redis', 'rediss'].includes(schemeOf(broker))) return broker;
    throw new CliError(
      ExitCode.USAGE,
      `results do not live in ${redactUrl(broker)}: pass --backend redis://… or set RESULT_URL`,
    );
  }

  /** Whether results can be read: a backend URL is given, or the broker is Redis. */
  get hasBackend(): boolean {
    return this.settings.backend !== undefined || ['redis', 'rediss'].includes(schemeOf(this.brokerUrl));
  }

  /**
   * The broker. `layout`: queues in a foreign wire mode and the broker settings they need (a
   * `protocol: 'celery'` queue and kombu's key prefix), which the application's queue table says
   * and a CLI run has to be told; by default every queue is laid out as Celeriac's.
   */
  getBroker(layout: BrokerLayout = {}): Promise<Broker> {
    const key = JSON.stringify(layout);
    let broker = this.brokers.get(key);
    if (!broker) {
      broker = this.open('broker', this.brokerUrl, async (url) => {
        const { protocols, extra = {} } = layout;
        const opened = await createBroker({ url, prefix: this.settings.prefix, protocols, extra });
        return { value: opened, connect: () => opened.connect(), close: () => opened.close() };
      });
      this.brokers.set(key, broker);
    }
    return broker;
  }

  /**
   * The result backend. `optional`: when none is configured (RabbitMQ without RESULT_URL), an
   * in-process one that only this run sees, for commands that write a record nobody reads back.
   * `format`: the record format (`celeriac`, or `celery` for Celery's `celery-task-meta-<id>`).
   */
  getBackend(optional = false, format: RecordFormatName = 'celeriac'): Promise<ResultBackend> {
    const url = optional && !this.hasBackend ? 'memory://' : this.backendUrl;
    let backend = this.backends.get(format);
    if (!backend) {
      backend = this.open('result backend', url, async (url) => {
        const opened = await createBackend({
          url,
          prefix: this.settings.prefix,
          extra: format === 'celeriac' ? {} : { format },
          resultTtlMs: DEFAULT_RESULT_TTL_MS,
        });
        return { value: opened, connect: () => opened.connect(), close: () => opened.close() };
      });
      this.backends.set(format, backend);
    }
    return backend;
  }

  /** The control plane (control channel and event bus) on the broker's transport and prefix. */
  getControlPlane(): Promise<ControlPlane> {
    this.plane ??= this.open('broker', this.brokerUrl, async (url) => {
      const plane = await createControlPlane({ url, prefix: this.settings.prefix, extra: {} });
      return { value: plane, connect: () => plane.connect(), close: () => plane.close() };
    });
    return this.plane;
  }

  /** A control client gathering worker replies for `replyTimeoutMs`. */
  async getControl(replyTimeoutMs: number): Promise<ControlClient> {
    const plane = await this.getControlPlane();
    this.control ??= new ControlClient(plane.control, replyTimeoutMs);
    return this.control;
  }

  async close(): Promise<void> {
    await this.control?.close().catch(() => undefined);
    const open = [...this.brokers.values(), ...this.backends.values(), this.plane].filter(
      (part) => part !== undefined,
    );
    await Promise.allSettled(open.map(async (part) => (await part).close()));
  }

  private async open<T>(
    what: string,
    url: string,
    create: (url: string) => Promise<{ value: T; connect(): Promise<void>; close(): Promise<void> }>,
  ): Promise<T> {
    await silenceNestLogs();
    const part = await create(url).catch((error: unknown) => {
      throw unreachable(what, url, error);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void part.close().catch(() => undefined);
        reject(new Error(`no answer within ${this.settings.connectTimeoutMs} ms`));
      }, this.settings.connectTimeoutMs);
    });
    try {
      await Promise.race([part.connect(), timeout]);
      return part.value;
    } catch (error) {
      await part.close().catch(() => undefined);
      throw unreachable(what, url, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Celeriac's connection classes log through Nest (reconnects, warnings); the CLI speaks for
 * itself, one line per problem. Loaded only when a command connects, so `--help` stays quick.
 */
async function silenceNestLogs(): Promise<void> {
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(false);
}

function checkedScheme(url: string, what: string): string {
  try {
    return schemeOf(url);
  } catch (error) {
    throw new CliError(ExitCode.USAGE, `${what} URL: ${(error as Error).message}`);
  }
}

function unreachable(what: string, url: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof TaskDefinitionError) return new CliError(ExitCode.USAGE, `${what}: ${error.message}`);
  const reason = error instanceof Error ? innermostMessage(error) : String(error);
  return new CliError(ExitCode.UNAVAILABLE, `cannot reach the ${what} at ${redactUrl(url)}: ${reason}`);
}

/** The root cause's message (`connect ECONNREFUSED 127.0.0.1:1`), without the wrappers around it. */
function innermostMessage(error: Error): string {
  let current: Error = error;
  while (current.cause instanceof Error) current = current.cause;
  return redactUrl(current.message || error.message);
}
