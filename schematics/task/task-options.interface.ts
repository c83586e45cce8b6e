/** Options of the `task` schematic (see schema.json). */
export interface TaskSchematicOptions {
  /** Name of the tasks provider, optionally with a path: `reports` or `admin/reports`. */
  name: string;
  /** Directory under the source root for the files. */
  path?: string;
  /** Source root of the project (the Nest CLI passes its own). */
  sourceRoot?: string;
  /** Module to register the provider in; default: the nearest module above the files. */
  module?: string;
  /** Do not register the provider in a module. */
  skipImport?: boolean;
  /** Queue of the generated `@Task` (default `default`). */
  queue?: string;
  /** Pool of the queue, when the queue has to be added to the `CeleriacModule.forRoot` table (default `async`). */
  pool?: string;
  /** Put the files in the path itself rather than in a directory of their own. */
  flat?: boolean;
  /** Generate `<name>.controller.ts`, a POST endpoint that sends the task (default true). */
  controller?: boolean;
  /** Generate a spec file (default true). */
  spec?: boolean;
  /** Suffix of the spec file (default `spec`). */
  specFileSuffix?: string;
  /** Language of the project; only `ts` is generated. */
  language?: string;
}
