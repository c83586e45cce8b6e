/** Options of the `queue` schematic (see schema.json). */
export interface QueueSchematicOptions {
  /** Name of the queue. */
  name: string;
  /** Pool that runs the queue's tasks (default `async`). */
  pool?: string;
  /** Tasks run at once per worker; omitted, the pool's default applies. */
  concurrency?: number;
  /** The file holding `CeleriacModule.forRoot`; default: found under the source root. */
  module?: string;
  /** Source root of the project (the Nest CLI passes its own). */
  sourceRoot?: string;
}
