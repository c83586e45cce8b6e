import { Injectable } from '@nestjs/common';
import { Task } from '../../../lib/index.js';

/** CPU-bound work: counting primes with a sieve. */
@Injectable()
export class PrimesTasks {
  @Task({ queue: 'cpu', timeLimit: 60_000 })
  count(limit: number): number {
    const composite = new Uint8Array(limit);
    let primes = 0;
    for (let n = 2; n < limit; n++) {
      if (composite[n]) continue;
      primes++;
      for (let multiple = n * n; multiple < limit; multiple += n) composite[multiple] = 1;
    }
    return primes;
  }
}
