/** Options of the `queue` schematic (see schema.json). */
export interface QueueSchematicOptions {
  /** Name of the queue. */
  name: string;
  /** Pool that runs the queue's tasks (default `async`); given for a queue already there, it changes it. */
  pool?: string;
  /** The Nest CLI's second positional argument, taken as the pool: `nest g -c celeriac queue cpu threads`. */
  path?: string;
  /** Tasks run at once per worker; omitted, the pool's default applies. Given for a queue already there, it changes it. */
  concurrency?: number;
  /** The file holding `CeleriacModule.forRoot`; default: found under the source root. */
  module?: string;
  /** Source root of the project (the Nest CLI passes its own). */
  sourceRoot?: string;
}
