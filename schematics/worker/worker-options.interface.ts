/** Options of the `worker` schematic (see schema.json). */
export interface WorkerSchematicOptions {
  /** Queues the worker consumes, comma-separated; default: every queue of the table. */
  queues?: string;
  /**
   * The Nest CLI forwards its positional argument as `name`, so `nest g -c celeriac worker cpu,io`
   * arrives here; it means the same as `queues`.
   */
  name?: string;
  /** Directory under the source root for worker.main.ts (default: the source root). */
  path?: string;
  /** Source root of the project (the Nest CLI passes its own). */
  sourceRoot?: string;
  /** The application module the worker boots; default: app.module.ts in the source root. */
  module?: string;
  /** Language of the project; only `ts` is generated. */
  language?: string;
}
