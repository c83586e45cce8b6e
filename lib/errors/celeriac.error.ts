/** Base class of every error Celeriac raises; `code` is stable for programs, `message` is for people. */
export class CeleriacError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
