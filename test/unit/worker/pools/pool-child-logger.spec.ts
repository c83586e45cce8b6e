import { ConsoleLogger, Logger } from '@nestjs/common';
import { createTaskContext, runInTaskContext } from '../../../../lib/worker/task-context.js';
import { PoolChildLogger, quietPoolChildLogs } from '../../../../lib/worker/pools/pool-child-logger.js';
import { CapturedLogs } from '../../../support/captured-logs.js';

const inTask = <T>(fn: () => T): T =>
  runInTaskContext(
    createTaskContext({
      id: 't1',
      task: 'ReportTasks.render',
      queue: 'cpu',
      args: [],
      retries: 0,
      rootId: 't1',
      signal: new AbortController().signal,
      progress: () => Promise.resolve(),
    }),
    fn,
  );

describe('pool child logger', () => {
  it('passes only warnings and errors outside tasks, tagged with queue, pool and slot', () => {
    const sink = new CapturedLogs();
    const logger = new PoolChildLogger('cpu/threads#2');
    logger.use(sink);
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.debug('details', 'InstanceLoader');
    logger.warn('disk almost full', 'Storage');
    logger.error('cannot reach the mail server', 'stack…', 'Mailer');
    expect(sink.lines).toEqual([
      { level: 'warn', message: '[cpu/threads#2] disk almost full', context: 'Storage' },
      {
        level: 'error',
        message: '[cpu/threads#2] cannot reach the mail server',
        context: 'Mailer',
        stack: 'stack…',
      },
    ]);
  });

  it('passes every level while a task runs, within the levels the application chose', () => {
    const sink = new CapturedLogs();
    const logger = new PoolChildLogger('pdf/processes#1');
    logger.use(sink);
    logger.use(['error', 'warn', 'log']);
    inTask(() => {
      logger.log('rendering page 1', 'ReportTasks');
      logger.verbose('not asked for', 'ReportTasks');
    });
    expect(sink.lines.map((line) => line.message)).toEqual(['[pdf/processes#1] rendering page 1']);
  });

  describe('installed in a child', () => {
    const original = Logger.overrideLogger.bind(Logger);
    afterEach(() => {
      Logger.overrideLogger = original;
      original(new ConsoleLogger());
    });

    it('keeps filtering after the application installs its own logger or levels, as NestFactory does', () => {
      quietPoolChildLogs({ pool: 'threads', queue: 'cpu', slot: 0 });
      const sink = new CapturedLogs();
      Logger.overrideLogger(sink);
      new Logger('NestFactory').log('Starting Nest application...');
      new Logger('InstanceLoader').log('AppModule dependencies initialized');
      new Logger('Celeriac').warn('slow start');
      Logger.overrideLogger(['error']);
      new Logger('Celeriac').warn('dropped: the application asked for errors only');
      new Logger('Celeriac').error('failed');
      expect(sink.lines.map(({ level, message, context }) => ({ level, message, context }))).toEqual([
        { level: 'warn', message: '[cpu/threads#1] slow start', context: 'Celeriac' },
        { level: 'error', message: '[cpu/threads#1] failed', context: 'Celeriac' },
      ]);
    });

    it('does nothing outside a pool child', () => {
      const before = Logger.overrideLogger;
      expect(quietPoolChildLogs(undefined)).toBeUndefined();
      expect(Logger.overrideLogger).toBe(before);
    });
  });
});
