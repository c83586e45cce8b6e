/** Options of the `init` schematic, which `nest add celeriac` runs (see schema.json). */
export interface InitSchematicOptions {
  /** The root module to import `CeleriacModule` into; default: app.module.ts in the source root. */
  module?: string;
  /** Do not create worker.main.ts and the start:worker script. */
  skipWorker?: boolean;
  /** Source root of the project (the Nest CLI passes its own). */
  sourceRoot?: string;
  /** Language of the project; only `ts` is generated. */
  language?: string;
}
