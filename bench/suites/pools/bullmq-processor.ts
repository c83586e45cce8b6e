import type { Job } from 'bullmq';
import { burn } from './cpu-work.js';

/** BullMQ's sandboxed processor file for the same work. */
export default function processor(job: Job<{ iterations: number }>): Promise<number> {
  return Promise.resolve(burn(job.data.iterations));
}
