import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A throw-away redis-server on a free port, so idle figures count nothing but the subject's own commands. */
export async function withOwnRedis<T>(run: (url: string) => Promise<T>): Promise<T> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('Ready to accept') && resolve());
    });
    return await run(`redis://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Reads a server's `total_commands_processed`, not counting its own INFO calls. */
export class CommandCounter {
  private readonly client: Redis;
  private reads = 0;

  constructor(url: string) {
    this.client = new Redis(url);
  }

  async processed(): Promise<number> {
    const info = await this.client.info('stats');
    // Each INFO is counted once it has run: the n-th read sees n − 1 of them.
    return Number(/total_commands_processed:(\d+)/.exec(info)![1]) - this.reads++;
  }

  close(): void {
    this.client.disconnect();
  }
}
