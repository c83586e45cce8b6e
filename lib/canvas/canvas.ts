import { Signature } from './signature.js';

/** Members run in parallel; their results come back in member order. */
export interface Group<TResult = unknown> {
  readonly kind: 'group';
  readonly members: Signature<TResult>[];
}

/** Each step's result feeds the next. */
export interface Chain<TResult = unknown> {
  readonly kind: 'chain';
  readonly steps: CanvasNode[];
  /** Phantom: the last step's result type. */
  readonly __result?: TResult;
}

/** A group whose ordered results feed one callback, run exactly once. */
export interface Chord<TResult = unknown> {
  readonly kind: 'chord';
  readonly header: Group;
  readonly body: Signature<TResult>;
}

export type CanvasNode = Signature | Group | Chain | Chord;

type ResultOf<N> =
  N extends Signature<infer R>
    ? R
    : N extends Group<infer R>
      ? R[]
      : N extends Chain<infer R>
        ? R
        : N extends Chord<infer R>
          ? R
          : never;

/** `group([sig(…), sig(…)])` or `group(sig(…), sig(…))`. */
export function group<TResult>(...members: Signature<TResult>[] | [Signature<TResult>[]]): Group<TResult> {
  const list = (Array.isArray(members[0]) ? members[0] : members) as Signature<TResult>[];
  return { kind: 'group', members: [...list] };
}

/** `chain(a, b, c)`: a's result is b's first argument, b's is c's. */
export function chain<TLast extends CanvasNode>(...steps: [...CanvasNode[], TLast]): Chain<ResultOf<TLast>>;
export function chain(...steps: CanvasNode[]): Chain<unknown>;
export function chain(...steps: CanvasNode[]): Chain<unknown> {
  return { kind: 'chain', steps };
}

/** `chord(group(…), callback)`: the callback gets the list of member results once all completed. */
export function chord<TResult>(header: Group | Signature[], body: Signature<TResult>): Chord<TResult> {
  return { kind: 'chord', header: Array.isArray(header) ? group(header) : header, body };
}

export function isSignature(node: CanvasNode): node is Signature {
  return node instanceof Signature;
}
