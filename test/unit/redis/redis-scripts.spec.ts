import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findLuaDir, loadLuaScript } from '../../../lib/redis/redis-scripts.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIRS = [join(ROOT, 'lib/brokers/redis/lua'), join(ROOT, 'lib/backends/redis/lua')];

describe.each(DIRS)('Lua scripts in %s', (dir) => {
  const files = readdirSync(dir).filter((file) => file.endsWith('.lua'));

  it.each(files)('%s documents exactly the keys its name declares, and expands its includes', (file) => {
    const script = loadLuaScript(dir, file);
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(readFileSync(join(dir, file), 'utf8'));
    expect(header).not.toBeNull();
    const documented = [...header![1].matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(documented).toEqual(Array.from({ length: script.numberOfKeys }, (_, i) => i + 1));
    // A script taking at least n keys (`<name>-<n>+.lua`) documents the ones after them as KEYS[n+1...].
    expect(header![1].includes(`KEYS[${script.numberOfKeys + 1}...]`)).toBe(script.variadic);
    expect(header![1]).toMatch(/ARGV|Output/);
    expect(header![1]).toMatch(/Output:/);
    expect(script.lua).not.toMatch(/@include/);
    // Each helper is defined once, however many includes pull it in.
    const definitions = [...script.lua.matchAll(/local function (\w+)/g)].map((m) => m[1]);
    expect(new Set(definitions).size).toBe(definitions.length);
  });
});

describe('findLuaDir', () => {
  it('finds the scripts beside the sources', () => {
    const moduleUrl = pathToFileURL(join(ROOT, 'lib/brokers/redis/redis.broker.ts')).href;
    expect(findLuaDir(moduleUrl)).toBe(join(ROOT, 'lib/brokers/redis/lua'));
  });

  it('finds them under the package root from a compiled module in dist/ when the build did not copy them', () => {
    const root = mkdtempSync(join(tmpdir(), 'celeriac-lua-'));
    try {
      mkdirSync(join(root, 'lib', 'x', 'lua'), { recursive: true });
      mkdirSync(join(root, 'dist', 'lib', 'x'), { recursive: true });
      const compiled = pathToFileURL(join(root, 'dist', 'lib', 'x', 'x.js')).href;
      expect(findLuaDir(compiled)).toBe(join(root, 'lib', 'x', 'lua'));
      mkdirSync(join(root, 'dist', 'lib', 'x', 'lua'));
      expect(findLuaDir(compiled)).toBe(join(root, 'dist', 'lib', 'x', 'lua'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says where it looked when the scripts are missing', () => {
    expect(() => findLuaDir(pathToFileURL(join(ROOT, 'nowhere', 'x.js')).href)).toThrow(
      /Lua scripts not found \(looked in .*nowhere/,
    );
  });
});
