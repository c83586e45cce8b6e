import { Injectable } from '@nestjs/common';
import { currentTask, NonRetryableError, Task } from '../../../lib/index.js';

export interface FetchedPage {
  url: string;
  status: number;
  bytes: number;
}

/** I/O-bound work: fetching a page. Rate limited so a burst of requests does not hammer the site. */
@Injectable()
export class SharesTasks {
  @Task({
    queue: 'io',
    rateLimit: '20/s',
    retries: 2,
    backoff: { type: 'exponential', delay: 500 },
    timeLimit: 15_000,
  })
  async fetchShares(url: string): Promise<FetchedPage> {
    const response = await fetch(url, { signal: currentTask().signal });
    // A 4xx will not get better by asking again; a 5xx might.
    if (response.status >= 400 && response.status < 500) {
      throw new NonRetryableError(`GET ${url} answered ${response.status}`);
    }
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const body = await response.arrayBuffer();
    return { url, status: response.status, bytes: body.byteLength };
  }
}
