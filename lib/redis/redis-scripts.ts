import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-connection.js';

const INCLUDE = /^--- @include "([\w/-]+)"\s*$/gm;

/**
 * One Lua script: its text with includes expanded, and how many of its arguments are keys. A script
 * named `<name>-<n>+.lua` takes at least `n` keys (`variadic`): a batch passes one more per item.
 */
export interface LuaScript {
  name: string;
  numberOfKeys: number;
  variadic: boolean;
  lua: string;
}

/**
 * Finds a folder of Lua scripts shipped beside a module. From the sources (ts-jest, ts-node) it is
 * next to the module; from `dist/` it is next to the compiled module when the build copied it, else
 * the same folder under the package root (`dist/lib/x/lua` → `lib/x/lua`), which is where the
 * sources keep it.
 */
export function findLuaDir(moduleUrl: string, folder = 'lua'): string {
  const here = join(dirname(fileURLToPath(moduleUrl)), folder);
  const candidates = [here];
  const marker = `${sep}dist${sep}`;
  const at = here.lastIndexOf(marker);
  if (at >= 0) candidates.push(here.slice(0, at) + sep + here.slice(at + marker.length));
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`Celeriac: Lua scripts not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads `<dir>/<name>-<keys>.lua` and expands its `--- @include "includes/<x>"` lines, each once. */
export function loadLuaScript(dir: string, file: string): LuaScript {
  const match = /^(.+)-(\d+)(\+?)\.lua$/.exec(basename(file));
  if (!match) throw new Error(`Celeriac: Lua script "${file}" is not named <name>-<numberOfKeys>[+].lua`);
  const seen = new Set<string>();
  const expand = (text: string): string =>
    text.replace(INCLUDE, (_line, include: string) => {
      if (seen.has(include)) return '';
      seen.add(include);
      return expand(readFileSync(join(dir, `${include}.lua`), 'utf8'));
    });
  return {
    name: match[1],
    numberOfKeys: Number(match[2]),
    variadic: match[3] === '+',
    lua: expand(readFileSync(join(dir, file), 'utf8')),
  };
}

/** Every script of every set created in this process, by SHA-1, for {@link preloadScripts}. */
const known = new Map<string, string>();

/**
 * Loads every script known to this process into the script cache of a client's server (each master
 * of a cluster). Connections do this as soon as they are ready, so the first EVALSHA of each script
 * finds it and concurrent calls keep their order.
 */
export async function preloadScripts(client: RedisClient): Promise<void> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  await Promise.all(
    servers.flatMap((server) => [...known.values()].map((lua) => server.script('LOAD', lua))),
  );
}

/**
 * A set of scripts read once per process and run with EVALSHA, falling back to EVAL (which also
 * caches the script again) when Redis answers NOSCRIPT, e.g. after a restart. Scripts are not
 * defined on clients (ioredis `defineCommand`): an auto-pipeline copies a client's commands when it
 * is created, so a script defined on a shared connection while a pipeline was pending would be
 * missing from it and its replies would go to the wrong callers. EVALSHA is a built-in command,
 * present in every pipeline.
 */
export class ScriptSet {
  private readonly scripts = new Map<string, LuaScript & { sha: string }>();

  constructor(dir: string, files: readonly string[]) {
    for (const file of files) {
      const script = loadLuaScript(dir, file);
      const sha = createHash('sha1').update(script.lua).digest('hex');
      this.scripts.set(script.name, { ...script, sha });
      known.set(sha, script.lua);
    }
  }

  async run(
    client: RedisClient,
    name: string,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const script = this.scripts.get(name);
    if (!script) throw new Error(`Celeriac: unknown Lua script "${name}"`);
    const fits = script.variadic ? keys.length >= script.numberOfKeys : keys.length === script.numberOfKeys;
    if (!fits) {
      const takes = `${script.variadic ? 'at least ' : ''}${script.numberOfKeys}`;
      throw new Error(`Celeriac: Lua script "${name}" takes ${takes} keys, got ${keys.length}`);
    }
    try {
      return await client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // Not cached (a set created after the connection was ready, or a restart since): EVAL caches it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(script.lua, keys.length, ...keys, ...args);
    }
  }
}
