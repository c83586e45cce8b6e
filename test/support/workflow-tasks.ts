import { Injectable } from '@nestjs/common';
import { NonRetryableError, Task, type TaskFailureInfo } from '../../lib/index.js';

/** Call counts by key, shared by the workflow tests. */
export const workflowCalls = new Map<string, number>();
const count = (key: string): number => {
  const n = (workflowCalls.get(key) ?? 0) + 1;
  workflowCalls.set(key, n);
  return n;
};

/** Tasks that workflow tests compose; every broker's workflow suite uses these. */
@Injectable()
export class MathTasks {
  @Task()
  add(a: number, b: number): number {
    return a + b;
  }

  @Task()
  double(n: number): number {
    return n * 2;
  }

  @Task()
  constant(value: string): string {
    return value;
  }

  @Task()
  sum(values: number[], label = 'sum'): string {
    count(`sum:${label}`);
    return `${label}=${values.reduce((total, n) => total + n, 0)}`;
  }

  @Task()
  failIf(n: number, bad: number): number {
    if (n === bad) throw new NonRetryableError(`member ${n} is bad`);
    return n;
  }

  @Task()
  noop(): null {
    return null;
  }

  @Task()
  recordFailure(failure: TaskFailureInfo, label: string): string {
    count(`errback:${label}`);
    return `${label}: ${failure.task} ${failure.error.message}`;
  }
}
