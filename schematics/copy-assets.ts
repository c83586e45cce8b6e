/**
 * Build step after tsc: the schematics engine reads collection.json, each schema.json and the
 * `files/` templates next to the compiled factories, and tsc copies none of them.
 * Run from the compiled location: `node dist/schematics/copy-assets.js`. A copy that is already
 * there unchanged is left alone, so a build with nothing to do touches no file of `dist/`.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = dirname(fileURLToPath(import.meta.url));
const source = join(target, '..', '..', 'schematics');

function isAsset(path: string): boolean {
  const inside = relative(source, path).split(sep);
  const file = inside[inside.length - 1];
  return file === 'collection.json' || file === 'schema.json' || inside.includes('files');
}

function copyAssets(directory: string): number {
  let copied = 0;
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) {
      copied += copyAssets(path);
    } else if (isAsset(path)) {
      const copy = join(target, relative(source, path));
      if (existsSync(copy) && readFileSync(copy).equals(readFileSync(path))) continue;
      cpSync(path, copy);
      copied += 1;
    }
  }
  return copied;
}

console.log(`schematics: ${copyAssets(source)} assets copied to ${relative(process.cwd(), target) || '.'}`);
