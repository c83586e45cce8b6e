import type { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COLLECTION = fileURLToPath(new URL('../../../../schematics/collection.json', import.meta.url));

interface CollectionJson {
  schematics: Record<string, { factory: string }>;
}

/**
 * A `SchematicTestRunner` over the source collection. The devkit loads factories with `require()`,
 * and jest's CommonJS loader cannot load ES modules on Node 20, so each factory is loaded through
 * jest's ESM loader first and handed to `require()` as a registered module. `ora` (ESM-only) is the
 * spinner of the devkit's package-install task, which these tests never run.
 */
export async function createSchematicRunner(): Promise<SchematicTestRunner> {
  const devkitRequire = createRequire(createRequire(import.meta.url).resolve('@angular-devkit/schematics'));
  jest.doMock(devkitRequire.resolve('ora'), () => ({ default: () => ({}) }));
  const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as CollectionJson;
  for (const { factory } of Object.values(collection.schematics)) {
    const path = join(dirname(COLLECTION), `${factory.split('#')[0]}.ts`);
    const module: unknown = await import(path);
    jest.doMock(path, () => module);
  }
  const { SchematicTestRunner } = await import('@angular-devkit/schematics/testing/index.js');
  return new SchematicTestRunner('celeriac', COLLECTION);
}
