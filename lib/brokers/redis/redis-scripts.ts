import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './redis-connection.js';

const INCLUDE = /^--- @include "([\w/-]+)"\s*$/gm;

/** One Lua script: its text with includes expanded, and how many of its arguments are keys. */
export interface LuaScript {
  name: string;
  numberOfKeys: number;
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
  const match = /^(.+)-(\d+)\.lua$/.exec(basename(file));
  if (!match) throw new Error(`Celeriac: Lua script "${file}" is not named <name>-<numberOfKeys>.lua`);
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
    lua: expand(readFileSync(join(dir, file), 'utf8')),
  };
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/**
 * A set of scripts read once per process and defined on each client as commands, which ioredis
 * runs with EVALSHA and re-sends with EVAL when the server lost its script cache (a restart).
 */
export class ScriptSet {
  private readonly scripts = new Map<string, LuaScript>();

  constructor(
    dir: string,
    files: readonly string[],
    private readonly namespace: string,
  ) {
    for (const file of files) {
      const script = loadLuaScript(dir, file);
      this.scripts.set(script.name, script);
    }
  }

  /** Defines every script on a client (each client keeps its own command table). */
  install(client: RedisClient): void {
    for (const script of this.scripts.values()) {
      client.defineCommand(this.commandName(script.name), {
        numberOfKeys: script.numberOfKeys,
        lua: script.lua,
      });
    }
  }

  run(
    client: RedisClient,
    name: string,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const script = this.scripts.get(name);
    if (!script) throw new Error(`Celeriac: unknown Lua script "${name}"`);
    if (keys.length !== script.numberOfKeys) {
      throw new Error(`Celeriac: Lua script "${name}" takes ${script.numberOfKeys} keys, got ${keys.length}`);
    }
    const command = (client as unknown as Record<string, ScriptCommand>)[this.commandName(name)];
    return command.call(client, ...keys, ...args);
  }

  private commandName(name: string): string {
    return `${this.namespace}_${name.replace(/-/g, '_')}`;
  }
}
