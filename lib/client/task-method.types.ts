/** Names of the methods of `T` (candidates for `@Task`). */
export type TaskMethodName<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

/** Argument tuple of `T[M]`. */
export type TaskArgs<T, M extends TaskMethodName<T>> = T[M] extends (...args: infer A) => unknown ? A : never;

/** Result of `T[M]`, unwrapped from its promise. */
export type TaskResult<T, M extends TaskMethodName<T>> = T[M] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;
