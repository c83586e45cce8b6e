import type { Command } from 'commander';
import { integerAtLeast } from '../cli-arguments.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { eventLine } from './event-line.js';

interface EventFlags {
  limit?: number;
  for?: number;
  workers?: boolean;
}

/** `events`: the live tail of the event bus, one line (or one JSON object) per event. */
export function registerEvents(program: Command, session: CliSession): void {
  program
    .command('events')
    .description(
      'tail task and worker events live (workers publish task events with events: true); Ctrl-C stops',
    )
    .option('--limit <n>', 'stop after this many events', integerAtLeast(1))
    .option('--for <ms>', 'stop after this long', integerAtLeast(1))
    .option('--no-workers', 'leave out worker heartbeats')
    .action(session.action(events));
}

async function events(context: CommandContext, flags: EventFlags) {
  const plane = await context.connection.getControlPlane();
  let seen = 0;
  let stop!: () => void;
  const done = new Promise<void>((resolve) => (stop = resolve));
  const unsubscribe = await plane.events.subscribe((batch) => {
    for (const event of batch) {
      if (seen >= (flags.limit ?? Infinity)) return;
      if (flags.workers === false && event.type === 'worker-heartbeat') continue;
      seen++;
      // --json prints one object per line (JSON Lines), so a script can read the stream as it comes.
      context.io.stdout(context.out.json ? `${JSON.stringify(event)}\n` : `${eventLine(event)}\n`);
      if (seen === flags.limit) stop();
    }
  });
  context.out.line(`listening on prefix "${context.connection.settings.prefix}" (Ctrl-C stops)`);
  const timer = flags.for === undefined ? undefined : setTimeout(stop, flags.for);
  const onStop = (): void => stop();
  context.stopped.addEventListener('abort', onStop, { once: true });
  try {
    await done;
  } finally {
    clearTimeout(timer);
    context.stopped.removeEventListener('abort', onStop);
    await unsubscribe();
  }
}
