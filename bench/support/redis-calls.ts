import { Redis } from 'ioredis';

/** Counts commands clients send (MONITOR shows those run inside scripts as `lua`; INFO is ours). */
export async function countCalls(url: string): Promise<{ take(): Promise<number>; close(): void }> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  let count = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && args[0]?.toLowerCase() !== 'info') count++;
  });
  // MONITOR lines arrive after the commands ran: a PING through it marks "everything so far is in".
  const settle = (): Promise<void> =>
    new Promise((resolve) => {
      const marker = `celeriac-bench-mark-${Math.random()}`;
      const onLine = (_time: string, args: string[]): void => {
        if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) {
          monitor.off('monitor', onLine);
          count--; // the marker itself
          resolve();
        }
      };
      monitor.on('monitor', onLine);
      void admin.echo(marker);
    });
  const admin = new Redis(url);
  let taken = 0;
  return {
    take: async () => {
      await settle();
      const now = count - taken;
      taken = count;
      return now;
    },
    close: () => {
      monitor.disconnect();
      client.disconnect();
      admin.disconnect();
    },
  };
}
