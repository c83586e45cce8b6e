import type { FromChild, ToChild } from '../../../../lib/worker/pools/child-protocol.js';
import type {
  ChildEvents,
  ChildExit,
  ChildSpec,
  PoolChild,
  SpawnChild,
} from '../../../../lib/worker/pools/pool-child.interface.js';

/** A child the test drives by hand: what the pool sent, and what the child says back. */
export class FakeChild implements PoolChild {
  readonly sent: ToChild[] = [];
  killed = false;
  gone = false;

  constructor(
    readonly id: number,
    readonly spec: ChildSpec,
    private readonly events: ChildEvents,
  ) {}

  send(message: ToChild): void {
    this.sent.push(message);
  }

  kill(): void {
    this.killed = true;
    this.exit({ signal: 'SIGKILL' });
  }

  say(message: FromChild): void {
    this.events.message(message);
  }

  ready(): void {
    this.say({ type: 'ready', pid: this.id, threadId: this.id, tasks: [] });
  }

  /** The id of the task last sent to run. */
  get running(): string | undefined {
    const runs = this.sent.filter((message) => message.type === 'run');
    return runs.at(-1)?.id;
  }

  succeed(value: unknown, memory = 0): void {
    this.say({ type: 'result', id: this.running!, ok: true, json: JSON.stringify(value), memory });
  }

  exit(exit: Partial<ChildExit> = {}): void {
    if (this.gone) return;
    this.gone = true;
    this.events.exit({ code: null, signal: null, output: '', outOfMemory: false, ...exit });
  }
}

/** A spawner that keeps every child it made. */
export function fakeSpawner(): { spawn: SpawnChild; children: FakeChild[] } {
  const children: FakeChild[] = [];
  const spawn: SpawnChild = (spec, events) => {
    const child = new FakeChild(children.length + 1, spec, events);
    children.push(child);
    return child;
  };
  return { spawn, children };
}
