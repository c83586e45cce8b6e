import type { Command } from 'commander';
import type { ScheduleStore } from '../../backends/schedule-store.interface.js';
import { byId, describeSchedule, MAX_NEXT, nextFireTimes } from '../../scheduler/describe-schedule.js';
import type { ScheduleInfo } from '../../scheduler/schedule-info.js';
import { integerAtLeast } from '../cli-arguments.js';
import type { CliSession, CommandContext } from '../cli-session.js';
import { CliError, ExitCode } from '../exit-code.js';

export function registerSchedules(program: Command, session: CliSession): void {
  const schedules = program
    .command('schedules')
    .description('periodic tasks: each schedule with its last fire (time, task id, state) and next fire');
  schedules
    .command('list', { isDefault: true })
    .description('every schedule, by id (the default)')
    .action(session.action(list));
  schedules
    .command('next')
    .description("a schedule's next fire times")
    .argument('<id>', 'schedule id')
    .option('--count <n>', `how many (at most ${MAX_NEXT})`, integerAtLeast(1), 5)
    .action(session.action(next));
  schedules
    .command('pause')
    .description('stop firing a schedule, on every beat node, until resumed')
    .argument('<id>', 'schedule id')
    .action(session.action((context, id: string) => setPaused(context, id, true)));
  schedules
    .command('resume')
    .description('fire a paused schedule again from its next tick')
    .argument('<id>', 'schedule id')
    .action(session.action((context, id: string) => setPaused(context, id, false)));
  schedules
    .command('remove')
    .description(
      'delete a schedule everywhere (one declared in code returns when a node declaring it starts)',
    )
    .argument('<id>', 'schedule id')
    .action(session.action(remove));
}

async function storeOf({ connection }: CommandContext): Promise<ScheduleStore> {
  const backend = await connection.getBackend();
  if (!backend.schedules) {
    throw new CliError(ExitCode.USAGE, `result backend "${backend.kind}" keeps no schedules`);
  }
  return backend.schedules;
}

async function list(context: CommandContext) {
  const store = await storeOf(context);
  const backend = await context.connection.getBackend();
  const now = Date.now();
  const infos = (await Promise.all((await store.all()).map((s) => describeSchedule(s, backend, now)))).sort(
    byId,
  );
  const { out } = context;
  out.result(infos, () => {
    if (infos.length === 0) return out.line('no schedules');
    out.table(
      ['ID', 'TASK', 'WHEN', 'PAUSED', 'LAST FIRE', 'LAST TASK', 'STATE', 'NEXT FIRE'],
      infos.map((info) => [
        info.id,
        info.task,
        cadenceText(info),
        info.paused ? 'yes' : 'no',
        info.lastFireAt?.toISOString(),
        info.lastTaskId,
        info.lastState,
        info.nextFireAt?.toISOString(),
      ]),
    );
  });
}

async function next(context: CommandContext, id: string, flags: { count: number }) {
  if (flags.count > MAX_NEXT) throw new CliError(ExitCode.USAGE, `--count: at most ${MAX_NEXT}`);
  const stored = await (await storeOf(context)).get(id);
  if (!stored) throw unknown(id);
  const times = nextFireTimes(stored.definition, flags.count, Date.now()).map((at) => at.toISOString());
  context.out.result({ id, next: times }, () => times.forEach((at) => context.out.line(at)));
}

async function setPaused(context: CommandContext, id: string, paused: boolean) {
  if (!(await (await storeOf(context)).setPaused(id, paused, Date.now()))) throw unknown(id);
  context.out.result({ id, paused }, () => context.out.line(`${paused ? 'paused' : 'resumed'} ${id}`));
}

async function remove(context: CommandContext, id: string) {
  const store = await storeOf(context);
  const stored = await store.get(id);
  if (!stored || !(await store.remove(id))) throw unknown(id);
  const origin = stored.definition.origin;
  context.out.result({ id, removed: true, origin }, () => {
    context.out.line(`removed ${id}`);
    if (origin !== 'dynamic') {
      context.out.line('it is declared in code: the next node that declares it starts writes it back');
    }
  });
}

function cadenceText(info: ScheduleInfo): string {
  if (info.every !== undefined) return `every ${info.every / 1_000} s`;
  return info.timezone ? `${info.cron} (${info.timezone})` : `${info.cron!}`;
}

function unknown(id: string): CliError {
  return new CliError(ExitCode.NOT_FOUND, `no schedule "${id}" (celeriac schedules lists them)`);
}
