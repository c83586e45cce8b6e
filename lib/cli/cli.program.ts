import { Command, Option } from 'commander';
import { integerAtLeast } from './cli-arguments.js';
import type { CliSession } from './cli-session.js';
import { registerCall } from './commands/call.command.js';
import { registerDeadLetters } from './commands/dead-letters.command.js';
import { registerEvents } from './commands/events.command.js';
import { registerPurge } from './commands/purge.command.js';
import { registerQueues } from './commands/queues.command.js';
import { registerResult } from './commands/result.command.js';
import { registerRevoke } from './commands/revoke.command.js';
import { registerSchedules } from './commands/schedules.command.js';
import { registerWorkers } from './commands/workers.command.js';

/** The `celeriac` command line: global connection options, then one sub-command per operation. */
export function createProgram(session: CliSession, version: string): Command {
  const program = new Command('celeriac')
    .description('Operate a Celeriac cluster: send tasks, read results, inspect queues and workers.')
    .version(version)
    .addOption(new Option('--broker <url>', 'broker URL: redis://… or amqp://…').env('BROKER_URL'))
    .addOption(
      new Option('--backend <url>', "result backend URL (default: the broker's Redis)").env('RESULT_URL'),
    )
    .addOption(
      new Option('--prefix <prefix>', 'namespace of keys and queues')
        .env('CELERIAC_PREFIX')
        .default('celeriac'),
    )
    .option('--json', 'print one JSON document for machines instead of tables')
    .addOption(
      new Option('--timeout <ms>', 'how long to wait for a server to answer')
        .argParser(integerAtLeast(1))
        .default(5_000),
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => session.io.stdout(text),
      writeErr: (text) => session.io.stderr(text),
    })
    .exitOverride();
  registerCall(program, session);
  registerResult(program, session);
  registerQueues(program, session);
  registerPurge(program, session);
  registerDeadLetters(program, session);
  registerWorkers(program, session);
  registerRevoke(program, session);
  registerEvents(program, session);
  registerSchedules(program, session);
  // Sub-commands report usage errors the same way as the root (no process.exit inside commander).
  for (const command of allCommands(program)) {
    command
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showHelpAfterError('(add --help for usage)');
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}
