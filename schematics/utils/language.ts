import { SchematicsException } from '@angular-devkit/schematics';

/** Celeriac is written for TypeScript decorators, so the schematics generate TypeScript only. */
export function assertTypeScript(language: string | undefined): void {
  if (language !== undefined && language !== 'ts') {
    throw new SchematicsException(`Celeriac schematics generate TypeScript only (language "${language}").`);
  }
}
