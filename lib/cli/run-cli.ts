import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { CommanderError } from 'commander';
import { createProgram } from './cli.program.js';
import { type CliIo, CliSession } from './cli-session.js';
import { ExitCode } from './exit-code.js';

/** The process's terminal: stdout, stderr, and questions only when stdin is a terminal. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    confirm: process.stdin.isTTY
      ? async (question) => {
          const terminal = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
          } finally {
            terminal.close();
          }
        }
      : undefined,
  };
}

/** Runs the CLI on `argv` (without node and the script) and resolves with its exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = processIo(),
  stopped: AbortSignal = new AbortController().signal,
): Promise<ExitCode> {
  const session = new CliSession(io, stopped);
  const program = createProgram(session, packageVersion());
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      session.fail(error);
      return session.exitCode;
    }
    // Help and --version end with code 0; everything else commander rejects is a usage error.
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  return session.exitCode;
}

/** The version of the installed package, from its package.json (found upwards from this module). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'celeriac') return manifest.version ?? '0.0.0';
    } catch {
      // not here: look one folder up
    }
  }
  return '0.0.0';
}
