import { randomUUID } from 'node:crypto';
import type { HeldTaskInfo } from '../../../../lib/control/control-commands.js';
import type { DeadLetterView } from '../../../../lib/operator/dead-letter.view.js';
import type { QueueStats } from '../../../../lib/brokers/broker.interface.js';
import type { TaskRecord } from '../../../../lib/index.js';
import type { SpawnedProcess } from '../../../support/spawned-process.js';
import {
  celeriac,
  type ClusterSettings,
  connectionArgs,
  deadLetterBeforeDeploy,
  jsonOf,
  startSpinWorker,
  startTail,
  startWorkers,
} from './cli-rig.js';

export interface CliCaseOptions {
  cluster: ClusterSettings;
  /** Same scheme as the broker, on a port where nothing listens. */
  downBrokerUrl: string;
  /** Deletes what the run left on the servers. */
  cleanup(): Promise<void>;
}

/**
 * The CLI's commands against a real broker with two worker processes of the sample app: each
 * command's exit code, `--json` shape and human output, and the messages when things go wrong.
 */
export function describeCliCases(title: string, options: CliCaseOptions): void {
  describe(title, () => {
    const { cluster } = options;
    const args = connectionArgs(cluster);
    let workers: SpawnedProcess[] = [];
    let staleTaskId: string;

    beforeAll(async () => {
      staleTaskId = await deadLetterBeforeDeploy(cluster, 'replayed');
      workers = await startWorkers(cluster, 2, 'io,serial');
    }, 180_000);

    afterAll(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await options.cleanup();
    });

    /** The worker running task `id`, once one reports it in `inspect active` (it starts once fetched). */
    async function runningOn(id: string): Promise<string> {
      for (let asked = 0; asked < 50; asked++) {
        const active = jsonOf<{ worker: string; value: { id: string }[] }[]>(
          await celeriac([...args, '--json', 'inspect', 'active', '--reply-timeout', '500']),
        );
        const runner = active.find((reply) => reply.value.some((task) => task.id === id));
        if (runner) return runner.worker;
      }
      throw new Error(`no worker reported task ${id} running`);
    }

    it('call --wait --json prints the final record; exit 0', async () => {
      const run = await celeriac([
        ...args,
        '--json',
        'call',
        'ReportTasks.notify',
        '--args',
        '["hi"]',
        '--queue',
        'io',
        '--wait',
        '30000',
      ]);
      expect(run.code).toBe(0);
      expect(jsonOf<TaskRecord>(run)).toMatchObject({
        id: expect.any(String),
        task: 'ReportTasks.notify',
        queue: 'io',
        state: 'SUCCESS',
        result: 'sent: hi',
        retries: 0,
        updatedAt: expect.any(Number),
      });
    });

    it('call prints the id; result --wait shows the outcome as aligned fields', async () => {
      const sent = await celeriac([
        ...args,
        'call',
        'ReportTasks.notify',
        '--args',
        '["there"]',
        '--queue',
        'io',
      ]);
      expect(sent.code).toBe(0);
      const id = sent.stdout.trim();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const shown = await celeriac([...args, 'result', id, '--wait', '30000']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`id       ${id}\n`);
      expect(shown.stdout).toContain('state    SUCCESS\n');
      expect(shown.stdout).toContain('result   sent: there\n');
      const json = jsonOf<TaskRecord>(await celeriac([...args, '--json', 'result', id]));
      expect(json).toMatchObject({ id, state: 'SUCCESS', result: 'sent: there' });
    });

    it('call --id, --eta, --priority: the task runs under the id given; past --expires it ends REVOKED unrun (exit 1)', async () => {
      const id = `cli-call-${randomUUID()}`;
      const picked = await celeriac([
        ...args,
        '--json',
        'call',
        'ReportTasks.notify',
        '--args',
        '["picked"]',
        '--queue',
        'io',
        '--id',
        id,
        '--priority',
        '9',
        '--eta',
        new Date().toISOString(),
        '--wait',
        '30000',
      ]);
      expect(picked.code).toBe(0);
      expect(jsonOf<TaskRecord>(picked)).toMatchObject({ id, state: 'SUCCESS', result: 'sent: picked' });
      // Due in 1 s, expired after 1 ms: the worker that receives it revokes it instead of running it.
      const expired = await celeriac([
        ...args,
        '--json',
        'call',
        'ReportTasks.notify',
        '--args',
        '["too late"]',
        '--queue',
        'io',
        '--countdown',
        '1000',
        '--expires',
        '1',
        '--wait',
        '30000',
      ]);
      expect(expired.code).toBe(1);
      expect(jsonOf<TaskRecord>(expired)).toMatchObject({ task: 'ReportTasks.notify', state: 'REVOKED' });
      expect(jsonOf<TaskRecord>(expired).result).toBeUndefined();
    });

    it('connection settings also come from BROKER_URL, RESULT_URL and CELERIAC_PREFIX', async () => {
      const run = await celeriac(
        ['--json', 'call', 'ReportTasks.notify', '--args', '["env"]', '--queue', 'io', '--wait'],
        {
          BROKER_URL: cluster.broker,
          RESULT_URL: cluster.backend,
          CELERIAC_PREFIX: cluster.prefix,
        },
      );
      expect(run.code).toBe(0);
      expect(jsonOf<TaskRecord>(run).result).toBe('sent: env');
    });

    it('a task that fails exits 1 with its error; an unknown id exits 4', async () => {
      const failed = await celeriac([...args, '--json', 'call', 'NoSuch.task', '--queue', 'io', '--wait']);
      expect(failed.code).toBe(1);
      expect(jsonOf<TaskRecord>(failed)).toMatchObject({
        state: 'FAILURE',
        error: { name: 'UnknownTaskError', message: expect.stringContaining('NoSuch.task') },
      });
      const unknown = await celeriac([...args, 'result', 'no-such-id']);
      expect(unknown).toMatchObject({ code: 4, stdout: '' });
      expect(unknown.stderr).toBe('celeriac: no task no-such-id (unknown id, or its record expired)\n');
    });

    it('queues: depth, delays, dead letters and the two workers as consumers', async () => {
      const delayed = await celeriac([
        ...args,
        'call',
        'ReportTasks.notify',
        '--args',
        '["later"]',
        '--queue',
        'serial',
        '--countdown',
        '600000',
      ]);
      expect(delayed.code).toBe(0);
      const run = await celeriac([...args, '--json', 'queues', 'io', 'serial']);
      expect(run.code).toBe(0);
      const [io, serial] = jsonOf<QueueStats[]>(run);
      expect(io).toMatchObject({ queue: 'io', ready: 0, delayed: 0, consumers: 2 });
      expect(io.deadLettered).toBeGreaterThanOrEqual(1);
      expect(serial).toMatchObject({ queue: 'serial', ready: 0, delayed: 1, deadLettered: 0, consumers: 2 });
      const table = await celeriac([...args, 'queues', 'serial']);
      expect(table.stdout.split('\n')[0]).toBe('QUEUE   READY  DELAYED  IN FLIGHT  DEAD LETTERS  CONSUMERS');
      expect(table.stdout.split('\n')[1]).toMatch(/^serial\s+0\s+1\s+\S+\s+0\s+2$/);
    });

    it('purge refuses without --yes (no terminal to ask on), then drops the delayed message', async () => {
      const refused = await celeriac([...args, 'purge', 'serial']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('add --yes');
      const purged = await celeriac([...args, '--json', 'purge', 'serial', '--yes']);
      expect(purged.code).toBe(0);
      expect(jsonOf(purged)).toEqual({ queue: 'serial', purged: { ready: 0, delayed: 1, deadLettered: 0 } });
      const after = jsonOf<QueueStats[]>(await celeriac([...args, '--json', 'queues', 'serial']));
      expect(after[0]).toMatchObject({ ready: 0, delayed: 0 });
    });

    it('dead-letters list shows the reason; replay runs the task now that workers know it', async () => {
      const listed = await celeriac([...args, '--json', 'dead-letters', 'list', 'io']);
      expect(listed.code).toBe(0);
      const letter = jsonOf<DeadLetterView[]>(listed).find((entry) => entry.taskId === staleTaskId)!;
      expect(letter).toMatchObject({
        queue: 'io',
        task: 'ReportTasks.notify',
        args: ['replayed'],
        reason: expect.stringContaining('ReportTasks.notify'),
        at: expect.any(Number),
      });
      const first = await celeriac([...args, '--json', 'dead-letters', 'list', 'io', '--limit', '1']);
      expect(jsonOf<DeadLetterView[]>(first)).toEqual([jsonOf<DeadLetterView[]>(listed)[0]]);
      const table = await celeriac([...args, 'dead-letters', 'list', 'io']);
      expect(table.stdout).toMatch(/^MESSAGE ID\s+DEAD-LETTERED AT\s+TASK\s+REASON\n/);
      expect(table.stdout).toContain(letter.messageId);

      const replayed = await celeriac([...args, '--json', 'dead-letters', 'replay', 'io', letter.messageId]);
      expect(replayed.code).toBe(0);
      expect(jsonOf(replayed)).toEqual({ queue: 'io', protocol: 'celeriac', replayed: 1 });
      const outcome = await celeriac([...args, '--json', 'result', staleTaskId, '--wait', '30000']);
      expect(jsonOf<TaskRecord>(outcome)).toMatchObject({ state: 'SUCCESS', result: 'sent: replayed' });
    });

    it('dead-letters delete needs ids or --all; --all empties the store', async () => {
      const refused = await celeriac([...args, 'dead-letters', 'delete', 'io']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--all');
      const deleted = await celeriac([...args, '--json', 'dead-letters', 'delete', 'io', '--all']);
      expect(deleted.code).toBe(0);
      expect(jsonOf<{ deleted: number }>(deleted).deleted).toBeGreaterThanOrEqual(1);
      expect(jsonOf(await celeriac([...args, '--json', 'dead-letters', 'list', 'io']))).toEqual([]);
    });

    it('ping: each of the two workers answers pong; a named worker that is not there times out (exit 5)', async () => {
      const run = await celeriac([...args, '--json', 'ping']);
      expect(run.code).toBe(0);
      const replies = jsonOf<{ worker: string; ok: boolean; value: string }[]>(run);
      expect(replies).toHaveLength(2);
      for (const reply of replies)
        expect(reply).toEqual({ worker: expect.any(String), ok: true, value: 'pong' });
      const human = await celeriac([...args, 'ping']);
      expect(human.stdout.trim().split('\n')).toEqual(replies.map((reply) => `${reply.worker}: pong`));
      const missing = await celeriac([...args, 'ping', '-d', 'nobody:1', '--reply-timeout', '300']);
      expect(missing.code).toBe(5);
      expect(missing.stderr).toMatch(/^celeriac: .*nobody:1.*\n$/);
    });

    it('status: the two workers with their queues and pools, as a table and as JSON', async () => {
      const run = await celeriac([...args, '--json', 'status']);
      expect(run.code).toBe(0);
      const workers = jsonOf<{ worker: string; queues: { queue: string; pool: string }[] }[]>(run);
      expect(workers).toHaveLength(2);
      for (const worker of workers) {
        expect(worker.queues.map((queue) => `${queue.queue}:${queue.pool}`).sort()).toEqual([
          'io:async',
          'serial:solo',
        ]);
      }
      const table = await celeriac([...args, 'status']);
      const lines = table.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^WORKER\s+QUEUES\s+ACTIVE\s+PROCESSED\s+UPTIME$/);
      expect(lines.slice(1, 3).every((line) => /io\(async×100\) serial\(solo×1\)/.test(line))).toBe(true);
      expect(lines[3]).toBe('2 worker(s) online');
    });

    it('inspect registered / active, then revoke the running task: it ends REVOKED', async () => {
      const registered = await celeriac([...args, '--json', 'inspect', 'registered']);
      expect(registered.code).toBe(0);
      const names = jsonOf<{ value: { name: string }[] }[]>(registered).flatMap((reply) =>
        reply.value.map((task) => task.name),
      );
      expect(names).toContain('ReportTasks.build');
      const registeredTable = await celeriac([...args, 'inspect', 'registered']);
      expect(registeredTable.stdout.split('\n')[0]).toMatch(
        /^WORKER\s+TASK\s+QUEUE\s+RETRIES\s+RATE LIMIT\s+TIME LIMIT$/,
      );
      expect(registeredTable.stdout).toMatch(/\sReportTasks\.build\s+io\s+0\s+-\s+300000\n/);
      const sent = await celeriac([
        ...args,
        'call',
        'ReportTasks.build',
        '--args',
        '[600, 100]',
        '--queue',
        'io',
      ]);
      const id = sent.stdout.trim();
      const runner = await runningOn(id);
      const table = await celeriac([...args, 'inspect', 'active']);
      expect(table.stdout).toMatch(new RegExp(`${id}\\s+ReportTasks\\.build\\s+io`));
      const revoked = await celeriac([...args, '--json', 'revoke', id]);
      expect(revoked.code).toBe(0);
      expect(jsonOf(revoked)).toEqual({
        revoked: [id],
        terminate: false,
        held: [{ worker: runner, id }],
      });
      const outcome = await celeriac([...args, '--json', 'result', id, '--wait', '30000']);
      expect(jsonOf<TaskRecord>(outcome).state).toBe('REVOKED');
    });

    it('revoke --terminate kills a task that never yields on a threads queue: it ends REVOKED', async () => {
      // A third worker, for the time of this case: the sample app has no task that ignores its signal.
      const spinner = await startSpinWorker(cluster);
      try {
        const sent = await celeriac([...args, 'call', 'ControlTasks.spin', '--queue', 'cpu']);
        expect(sent.code).toBe(0);
        const id = sent.stdout.trim();
        const runner = await runningOn(id);
        const revoked = await celeriac([...args, '--json', 'revoke', id, '--terminate']);
        expect(revoked.code).toBe(0);
        expect(jsonOf(revoked)).toEqual({ revoked: [id], terminate: true, held: [{ worker: runner, id }] });
        const outcome = await celeriac([...args, '--json', 'result', id, '--wait', '30000']);
        // A revoked task is a failed answer for scripts: exit 1.
        expect(outcome.code).toBe(1);
        expect(jsonOf<TaskRecord>(outcome)).toMatchObject({
          id,
          task: 'ControlTasks.spin',
          state: 'REVOKED',
        });
        // The worker lives on (its pool replaced the killed thread) and answers by name.
        const human = await celeriac([...args, 'revoke', 'no-such-task', '--terminate', '-d', runner]);
        expect([human.code, human.stdout]).toEqual([0, 'revoked 1 task(s) (terminate)\n']);
      } finally {
        await spinner.stop();
      }
    });

    it('rate-limit: every worker takes the new rate; inspect stats shows it', async () => {
      const run = await celeriac([...args, '--json', 'rate-limit', 'ReportTasks.notify', '50/s']);
      expect(run.code).toBe(0);
      const replies = jsonOf<{ ok: boolean; value: { task: string; rate: string } }[]>(run);
      expect(replies).toHaveLength(2);
      for (const reply of replies) expect(reply.value).toEqual({ task: 'ReportTasks.notify', rate: '50/s' });
      const stats = jsonOf<
        { worker: string; value: { overrides: { rateLimits: Record<string, string> } } }[]
      >(await celeriac([...args, '--json', 'inspect', 'stats']));
      for (const reply of stats) expect(reply.value.overrides.rateLimits['ReportTasks.notify']).toBe('50/s');
      const statsText = (await celeriac([...args, 'inspect', 'stats'])).stdout;
      for (const reply of stats) expect(statsText).toContain(`${reply.worker}\n`);
      expect(statsText.match(/^ {2}queues\s+io\(async×100\) serial\(solo×1\)$/gm)).toHaveLength(2);
      // The next case needs a rate only one task a minute passes; it puts it back to unlimited.
      const slow = await celeriac([...args, 'rate-limit', 'ReportTasks.notify', '1/m']);
      expect(slow.stdout).toMatch(/ReportTasks\.notify 1\/m/);
    });

    it('inspect scheduled (at the 1/m rate set above): tasks a worker holds for their rate slot, with when they may start; inspect reserved lists apart', async () => {
      const sent = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          celeriac([...args, 'call', 'ReportTasks.notify', '--args', `["held ${n}"]`, '--queue', 'io']),
        ),
      );
      const ids = sent.map((run) => run.stdout.trim());
      type Held = { worker: string; ok: boolean; value: HeldTaskInfo[] }[];
      const heldIds = (replies: Held) => replies.flatMap((reply) => reply.value.map((task) => task.id));
      let scheduled: Held = [];
      // One task per worker takes the minute's slot; the others wait in the worker that received them.
      for (
        let asked = 0;
        asked < 50 && heldIds(scheduled).filter((id) => ids.includes(id)).length < 2;
        asked++
      ) {
        scheduled = jsonOf(
          await celeriac([...args, '--json', 'inspect', 'scheduled', '--reply-timeout', '500']),
        );
      }
      expect(scheduled).toHaveLength(2);
      const waiting = scheduled.flatMap((reply) => reply.value).filter((task) => ids.includes(task.id));
      expect(waiting.length).toBeGreaterThanOrEqual(2);
      for (const task of waiting) {
        expect(task).toMatchObject({
          task: 'ReportTasks.notify',
          queue: 'io',
          retries: 0,
          phase: 'scheduled',
          receivedAt: expect.any(Number),
          eta: expect.any(Number),
        });
        expect(task.eta!).toBeGreaterThan(task.receivedAt);
      }
      const [reserved, table] = await Promise.all([
        celeriac([...args, '--json', 'inspect', 'reserved']),
        celeriac([...args, 'inspect', 'scheduled']),
      ]);
      const reservedReplies = jsonOf<Held>(reserved);
      expect(reservedReplies.map((reply) => reply.ok)).toEqual([true, true]);
      for (const reply of reservedReplies)
        for (const task of reply.value) expect(task.phase).toBe('reserved');
      expect(heldIds(reservedReplies).filter((id) => waiting.some((task) => task.id === id))).toEqual([]);
      expect(table.stdout.split('\n')[0]).toMatch(/^WORKER\s+ID\s+TASK\s+QUEUE\s+RETRIES\s+SINCE$/);
      expect(table.stdout).toMatch(
        new RegExp(`${waiting[0].id}\\s+ReportTasks\\.notify\\s+io\\s+0\\s+\\d{4}-`),
      );
      // Revoking ends their wait (REVOKED); the rate goes back to unlimited.
      const [revoked, cleared] = await Promise.all([
        celeriac([...args, '--json', 'revoke', ...ids]),
        celeriac([...args, 'rate-limit', 'ReportTasks.notify', 'none']),
      ]);
      const held = jsonOf<{ held: { id: string }[] }>(revoked).held.map((task) => task.id);
      for (const task of waiting) expect(held).toContain(task.id);
      expect(cleared.stdout).toMatch(/ReportTasks\.notify unlimited/);
    });

    it('events --json --limit: JSON lines of live events (worker heartbeats, task events); inspect of a bogus thing is a usage error', async () => {
      const run = await celeriac([...args, '--json', 'events', '--limit', '2', '--for', '20000']);
      expect(run.code).toBe(0);
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; worker: string; at: number });
      expect(events).toHaveLength(2);
      for (const event of events)
        // The sample app's workers publish task events too (events: true): either kind may come first.
        expect(event).toMatchObject({
          type: expect.stringMatching(/^(worker|task)-/),
          at: expect.any(Number),
        });
      const bogus = await celeriac([...args, 'inspect', 'bogus']);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toContain('inspect what?');
    });

    it('events for people: one line per event, time, type, Task[id] or worker and details in fixed columns', async () => {
      const tail = await startTail([...args, 'events', '--for', '60000']);
      const sent = await celeriac([
        ...args,
        '--json',
        'call',
        'ReportTasks.notify',
        '--args',
        '["tailed"]',
        '--queue',
        'io',
        '--wait',
        '30000',
      ]);
      const { id } = jsonOf<TaskRecord>(sent);
      await tail.waitFor(new RegExp(`task-succeeded +ReportTasks\\.notify\\[${id}\\]`));
      await tail.waitFor(/ worker-heartbeat /);
      expect(await tail.stop()).toBe(0);
      const [listening, ...lines] = tail.lines;
      expect(listening).toBe(`listening on prefix "${cluster.prefix}" (Ctrl-C stops)`);
      // time (24) · type (17) · subject (60, or longer: the beat's task ids are) · details, two spaces apart.
      const shape =
        /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) {2}((?:task|worker)-[a-z-]+ *) {2}(\S+ *) {2}(\S.*)$/;
      for (const line of lines) {
        const [, , type = '', subject = ''] = shape.exec(line) ?? [];
        expect({ line, type: type.length, subject: subject.length }).toEqual({
          line,
          type: 17,
          subject: Math.max(60, subject.trimEnd().length),
        });
      }
      const ofTask = lines.filter((line) => line.includes(`ReportTasks.notify[${id}]`));
      expect(ofTask.map((line) => line.split(/\s+/)[1])).toEqual([
        'task-received',
        'task-started',
        'task-succeeded',
      ]);
      expect(ofTask[0]).toMatch(/ {2}queue=io worker=\S+ args=\["tailed"\]$/);
      expect(ofTask[1]).toMatch(/ {2}queue=io worker=\S+ wait=\d+ms$/);
      expect(ofTask[2]).toMatch(/ {2}queue=io worker=\S+ runtime=\d+ms$/);
      expect(lines.find((line) => line.includes(' worker-heartbeat '))).toMatch(
        / {2}active=\d+ processed=\d+ queues=io\(async×100\),serial\(solo×1\) load=[\d.]+\/[\d.]+\/[\d.]+$/,
      );
    });

    it('a broker that is down: ping and status say so in one line, exit 3', async () => {
      for (const command of ['ping', 'status']) {
        const run = await celeriac([
          '--broker',
          options.downBrokerUrl,
          '--backend',
          cluster.backend,
          command,
        ]);
        expect(run.code).toBe(3);
        expect(run.stderr).toMatch(/^celeriac: cannot reach the broker at \S+:1\b.*\n$/);
      }
    });

    it('a broker that is down: every command that needs it says so in one line, exit 3; so does a backend that is down', async () => {
      const commands = [
        ['call', 'ReportTasks.notify', '--args', '["x"]', '--queue', 'io'],
        ['revoke', 'no-such-task'],
        ['rate-limit', 'ReportTasks.notify', '1/s'],
        ['purge', 'io', '--yes'],
        ['dead-letters', 'list', 'io'],
        ['events', '--for', '1000'],
        ['inspect', 'reserved'],
        ['inspect', 'scheduled'],
      ];
      const [result, ...runs] = await Promise.all([
        celeriac([
          '--broker',
          cluster.broker,
          '--backend',
          'redis://127.0.0.1:1',
          '--json',
          'result',
          'no-such-task',
        ]),
        ...commands.map((command) =>
          celeriac(['--broker', options.downBrokerUrl, '--backend', cluster.backend, '--json', ...command]),
        ),
      ]);
      runs.forEach((run, n) => {
        expect({ command: commands[n].join(' '), code: run.code, stdout: run.stdout }).toEqual({
          command: commands[n].join(' '),
          code: 3,
          stdout: '',
        });
        expect(run.stderr).toMatch(/^celeriac: cannot reach the broker at \S+:1\b.*\n$/);
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^celeriac: cannot reach the result backend at redis:\/\/127\.0\.0\.1:1\b.*\n$/,
      );
    });

    it('a broker that is down: one line naming it, exit 3, no stack', async () => {
      const run = await celeriac([
        '--broker',
        options.downBrokerUrl,
        '--backend',
        cluster.backend,
        'queues',
        'io',
      ]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^celeriac: cannot reach the broker at \S+:1\b.*\n$/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
}
