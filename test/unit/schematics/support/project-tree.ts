import { Tree } from '@angular-devkit/schematics';
import type { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing/index.js';

/** The app module of a freshly generated Nest app, with Celeriac configured. */
export const APP_MODULE = `import { Module } from '@nestjs/common';
import { CeleriacModule } from 'celeriac';
import { AppController } from './app.controller.js';

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: process.env.BROKER_URL,
      queues: {
        default: { pool: 'async' },
      },
    }),
  ],
  controllers: [AppController],
})
export class AppModule {}
`;

export interface ProjectOptions {
  /** `"type": "module"` in package.json (default true). */
  esm?: boolean;
  /** Files to add or replace, by path from the project root. */
  files?: Record<string, string>;
}

/** A host tree shaped like a Nest project: package.json, tsconfig.json and src/app.module.ts. */
export function projectTree({ esm = true, files = {} }: ProjectOptions = {}): Tree {
  const tree = Tree.empty();
  const pkg = {
    name: 'app',
    version: '0.0.1',
    ...(esm ? { type: 'module' } : {}),
    scripts: { build: 'nest build' },
  };
  tree.create('/package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  tree.create(
    '/tsconfig.json',
    '{\n  // comments are allowed here\n  "compilerOptions": { "outDir": "./dist" }\n}\n',
  );
  const all: Record<string, string> = { 'src/app.module.ts': APP_MODULE, ...files };
  for (const [path, content] of Object.entries(all)) tree.create(`/${path}`, content);
  return tree;
}

/** Runs a schematic and keeps what it logged, as `level: message` lines. */
export async function runWithLogs(
  runner: SchematicTestRunner,
  schematic: string,
  options: object,
  tree: Tree,
): Promise<{ tree: UnitTestTree; logs: string[] }> {
  const logs: string[] = [];
  const subscription = runner.logger.subscribe(({ level, message }) => logs.push(`${level}: ${message}`));
  try {
    return { tree: await runner.runSchematic(schematic, options, tree), logs };
  } finally {
    subscription.unsubscribe();
  }
}
