import { Injectable } from '@nestjs/common';
import { currentTask, NonRetryableError, Task } from '../../../lib/index.js';

/** Pages are cut here: the text travels through the result backend to the aggregate task. */
const MAX_PAGE_CHARS = 200_000;

export interface WordCounts {
  pages: number;
  counts: Record<string, number>;
}

/** A scrape-then-aggregate workflow: one `scrape` per URL (a group), then one `count` (the chord callback). */
@Injectable()
export class WordCountTasks {
  @Task({ queue: 'io', retries: 2, backoff: { type: 'exponential', delay: 500 }, timeLimit: 15_000 })
  async scrape(url: string): Promise<string> {
    const response = await fetch(url, { signal: currentTask().signal });
    if (response.status >= 400 && response.status < 500)
      throw new NonRetryableError(`GET ${url} answered ${response.status}`);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const html = await response.text();
    return html.replace(/<[^>]*>/g, ' ').slice(0, MAX_PAGE_CHARS);
  }

  /** Receives the pages in URL order (the group's results), then the words asked for. */
  @Task({ queue: 'cpu' })
  count(pages: string[], words: string[]): WordCounts {
    const wanted = new Map(words.map((word) => [word.toLowerCase(), 0]));
    for (const page of pages) {
      for (const token of page.toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
        const seen = wanted.get(token);
        if (seen !== undefined) wanted.set(token, seen + 1);
      }
    }
    return { pages: pages.length, counts: Object.fromEntries(wanted) };
  }
}
