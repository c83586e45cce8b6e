import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, SubjectConfig } from './task-bench.protocol.js';

type Done = Extract<ChildMessage, { type: 'done' }>;

/** The parent's end of one subject process (see subject.child.ts). */
export class SubjectProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<ChildMessage['type'], (message: ChildMessage) => void>();
  private failure?: Error;
  private readonly failed: Promise<never>;

  constructor(readonly config: SubjectConfig) {
    const entry = join(dirname(fileURLToPath(import.meta.url)), 'subject.child.js');
    this.child = fork(entry, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.failed = new Promise<never>((_, reject) => {
      this.child.on('message', (message: ChildMessage) => {
        if (message.type === 'error') {
          this.failure = new Error(`${config.subject} ${config.role}: ${message.message}`);
          reject(this.failure);
        } else this.waiting.get(message.type)?.(message);
      });
      this.child.on('exit', (code) => {
        if (code !== 0) reject(this.failure ?? new Error(`${config.subject} ${config.role} exited ${code}`));
      });
    });
    this.failed.catch(() => undefined);
  }

  ready(): Promise<void> {
    return this.next('ready').then(() => undefined);
  }

  /** Starts the side's work; the promise settles when it reports done. */
  go(): Promise<Done> {
    const done = this.next('done') as Promise<Done>;
    this.child.send({ type: 'go' });
    return done;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
    clearTimeout(timer);
    this.child.kill('SIGKILL');
  }

  private next(type: ChildMessage['type']): Promise<ChildMessage> {
    const message = new Promise<ChildMessage>((resolve) => this.waiting.set(type, resolve));
    return Promise.race([message, this.failed]);
  }
}
