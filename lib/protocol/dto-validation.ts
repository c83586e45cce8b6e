import type { ValidationError } from 'class-validator';
import { CeleriacError } from '../errors/celeriac.error.js';
import type { ArgumentIssue } from '../errors/invalid-arguments.error.js';

/** A class whose properties carry class-validator decorators. */
export type DtoClass = new (...args: never[]) => object;

interface DtoLibraries {
  plainToInstance: (cls: DtoClass, plain: object) => object;
  validate: (object: object, options: { forbidUnknownValues: boolean }) => Promise<ValidationError[]>;
}

let libraries: Promise<DtoLibraries> | undefined;

/** class-validator and class-transformer are optional peers: loaded on the first DTO check. */
function loadLibraries(): Promise<DtoLibraries> {
  // One after the other: jest's ES module loader cannot link two CommonJS graphs at once.
  libraries ??= (async (): Promise<DtoLibraries> => {
    const { plainToInstance } = await import('class-transformer');
    const { validate } = await import('class-validator');
    return { plainToInstance, validate };
  })().catch((error: unknown) => {
    libraries = undefined;
    throw new CeleriacError(
      'MISSING_DEPENDENCY',
      `a DTO class as a task schema needs class-validator and class-transformer installed ` +
        `(npm install class-validator class-transformer): ${(error as Error).message}`,
    );
  });
  return libraries;
}

/**
 * Turns a plain value into an instance of `dto` and validates it, as Nest's `ValidationPipe` does.
 * Returns the instance, or the issues with their property paths below `path`.
 */
export async function validateDto(
  dto: DtoClass,
  value: unknown,
  path: string,
): Promise<{ value: unknown } | { issues: ArgumentIssue[] }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return { issues: [{ path, message: `must be an object (${dto.name}), got ${got}` }] };
  }
  const { plainToInstance, validate } = await loadLibraries();
  const instance = plainToInstance(dto, value);
  const errors = await validate(instance, { forbidUnknownValues: false });
  if (errors.length === 0) return { value: instance };
  return { issues: errors.flatMap((error) => flatten(error, path)) };
}

function flatten(error: ValidationError, parent: string): ArgumentIssue[] {
  const path = `${parent}${/^\d+$/.test(error.property) ? `[${error.property}]` : `.${error.property}`}`;
  const own = error.constraints ? [{ path, message: Object.values(error.constraints).join('; ') }] : [];
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, path))];
}
