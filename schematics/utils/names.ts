import { basename, dirname, join, normalize, type Path } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';

/** Where a generated element goes: its kebab-case name and the directory its files land in. */
export interface ElementLocation {
  name: string;
  directory: Path;
}

export interface LocationOptions {
  name?: string;
  path?: string;
  flat?: boolean;
}

const FILE_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
const QUEUE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The Nest CLI's spelling of names: `dailyReports` and `daily reports` both become `daily-reports`. */
export function toKebabCase(raw: string): string {
  return raw
    .trim()
    .replace(/([a-z\d])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/\s+/g, '-');
}

/**
 * Splits `admin/reports` into the element name and its directory under the source root; unless
 * `flat`, the element gets a directory of its own, as the standard Nest schematics do.
 */
export function locateElement(kind: string, options: LocationOptions, sourceRoot: string): ElementLocation {
  const raw = options.name?.trim();
  if (!raw) {
    throw new SchematicsException(`A ${kind} name is required, e.g. "nest g -c celeriac ${kind} reports".`);
  }
  const name = toKebabCase(basename(normalize(raw)));
  if (!FILE_NAME.test(name)) {
    throw new SchematicsException(
      `Invalid ${kind} name "${raw}": use letters, digits, "-" or "_", starting with a letter (e.g. "reports" or "daily-reports").`,
    );
  }
  const parent = join(
    normalize(`/${sourceRoot}`),
    toKebabCase(options.path ?? ''),
    toKebabCase(dirname(normalize(raw))),
  );
  return { name, directory: options.flat ? parent : join(parent, name) };
}

export function assertQueueName(queue: string): string {
  if (!QUEUE_NAME.test(queue)) {
    throw new SchematicsException(
      `Invalid queue name "${queue}": use letters, digits, "-" or "_", starting with a letter (e.g. "cpu" or "io-bound").`,
    );
  }
  return queue;
}

/** `cpu, io` or `cpu io` → `['cpu', 'io']`, each checked. */
export function parseQueueList(raw: string | undefined): string[] {
  const queues = (raw ?? '').split(/[\s,]+/).filter((queue) => queue.length > 0);
  return [...new Set(queues)].map(assertQueueName);
}
