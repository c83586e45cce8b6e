import { Injectable } from '@nestjs/common';

/**
 * A deliberately naive store: reads and writes are separate async steps, so concurrent
 * read-modify-write cycles would lose updates. The `serial` queue's solo pool is what keeps it correct.
 */
@Injectable()
export class CounterStore {
  private value = 0;

  async read(): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.value;
  }

  async write(value: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.value = value;
  }
}
