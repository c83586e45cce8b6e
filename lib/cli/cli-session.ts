import type { Command } from 'commander';
import { CliConnection } from './cli-connection.js';
import { type CliOutput, createOutput } from './cli-output.js';
import { CliError, ExitCode } from './exit-code.js';

/** What the CLI reads and writes; the binary passes the process's, tests may pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  confirm?(question: string): Promise<boolean>;
}

/** The global options, after the environment and defaults filled them in. */
export interface GlobalOptions {
  broker?: string;
  backend?: string;
  prefix: string;
  json?: boolean;
  timeout: number;
}

/** What a command's action works with. */
export interface CommandContext {
  out: CliOutput;
  connection: CliConnection;
  options: GlobalOptions;
  io: CliIo;
  /** Aborted on Ctrl-C, for commands that run until stopped (`events`). */
  stopped: AbortSignal;
}

export type CommandAction = (context: CommandContext, ...args: never[]) => Promise<ExitCode | void>;

/**
 * One CLI run: gives each command's action a context, turns what it throws into a one-line
 * message and an exit code, and closes the connections it opened.
 */
export class CliSession {
  exitCode: ExitCode = ExitCode.OK;

  constructor(
    readonly io: CliIo,
    readonly stopped: AbortSignal,
  ) {}

  /** Wraps `action` as a commander action handler (positional arguments, then options, then the command). */
  action(action: CommandAction): (...args: unknown[]) => Promise<void> {
    return async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const connection = new CliConnection({
        broker: options.broker,
        backend: options.backend,
        prefix: options.prefix,
        connectTimeoutMs: options.timeout,
      });
      const context: CommandContext = {
        out: createOutput(options.json === true, (text) => this.io.stdout(text)),
        connection,
        options,
        io: this.io,
        stopped: this.stopped,
      };
      try {
        // Positional arguments, then this command's own options (commander's order).
        this.exitCode = (await action(context, ...(args.slice(0, -1) as never[]))) ?? ExitCode.OK;
      } catch (error) {
        this.fail(error);
      } finally {
        await connection.close();
      }
    };
  }

  fail(error: unknown): void {
    const known = error instanceof CliError;
    this.exitCode = known ? error.code : ExitCode.FAILED;
    const message = error instanceof Error ? error.message : String(error);
    this.io.stderr(`celeriac: ${message}\n`);
  }
}
