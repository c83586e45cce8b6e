import { Body, Controller, Post } from '@nestjs/common';
import { Accepted, chord, sig, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { CountWordsDto } from './count-words.dto.js';
import { type WordCounts, WordCountTasks } from './word-counts.tasks.js';

@Controller('word-counts')
export class WordCountsController {
  constructor(private readonly tasks: TaskClient) {}

  /** 202 with the chord's handle: following it gives the callback's state and, at the end, the counts. */
  @Post()
  @Accepted()
  count(@Body() body: CountWordsDto): Promise<TaskHandle<WordCounts>> {
    const scrapes = body.urls.map((url) => sig(WordCountTasks, 'scrape', url));
    return this.tasks.apply(chord(scrapes, sig(WordCountTasks, 'count', body.words)));
  }
}
