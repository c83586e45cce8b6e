import { InvalidControlMessageError } from '../errors/invalid-control-message.error.js';
import type { JsonValue } from '../protocol/json-value.js';

/** Version of the control wire format; a worker ignores requests of another version. */
export const CONTROL_PROTOCOL_VERSION = 1;

/** A command broadcast to workers. */
export interface ControlRequest {
  v: number;
  /** Correlates the replies. */
  id: string;
  command: string;
  args: { [key: string]: JsonValue };
  /** Worker ids the command is for; absent: every worker. */
  destination?: string[];
  /** Inbox address replies go to; absent: nobody waits for replies. */
  replyTo?: string;
  /** Epoch ms after which a worker does not bother to answer (the caller stopped waiting). */
  deadline?: number;
}

/** One worker's answer to a {@link ControlRequest}. */
export type ControlReply<T = JsonValue> =
  { worker: string; ok: true; value: T } | { worker: string; ok: false; error: string };

/** A reply as it travels: the answer plus the request it answers. */
export type ControlReplyMessage = ControlReply & { v: number; requestId: string };

type Json = { [key: string]: unknown };

function parseObject(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidControlMessageError(`not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidControlMessageError('not a JSON object');
  }
  return parsed as Json;
}

function need(condition: boolean, reason: string): void {
  if (!condition) throw new InvalidControlMessageError(reason);
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Reads a request, or throws an {@link InvalidControlMessageError} saying what is wrong with it. */
export function decodeControlRequest(text: string): ControlRequest {
  const message = parseObject(text);
  need(message.v === CONTROL_PROTOCOL_VERSION, `unsupported version ${JSON.stringify(message.v)}`);
  need(typeof message.id === 'string' && message.id !== '', '"id" must be a non-empty string');
  need(typeof message.command === 'string' && message.command !== '', '"command" must be a non-empty string');
  const args = message.args ?? {};
  need(typeof args === 'object' && args !== null && !Array.isArray(args), '"args" must be an object');
  need(
    message.destination === undefined || isStringArray(message.destination),
    '"destination" must be an array of worker ids',
  );
  need(message.replyTo === undefined || typeof message.replyTo === 'string', '"replyTo" must be a string');
  need(message.deadline === undefined || typeof message.deadline === 'number', '"deadline" must be a number');
  return { ...(message as unknown as ControlRequest), args: args as ControlRequest['args'] };
}

/** Reads a reply, or throws an {@link InvalidControlMessageError}. */
export function decodeControlReply(text: string): ControlReplyMessage {
  const message = parseObject(text);
  need(message.v === CONTROL_PROTOCOL_VERSION, `unsupported version ${JSON.stringify(message.v)}`);
  need(typeof message.requestId === 'string', '"requestId" must be a string');
  need(typeof message.worker === 'string', '"worker" must be a string');
  need(typeof message.ok === 'boolean', '"ok" must be a boolean');
  need(message.ok === true || typeof message.error === 'string', 'a failed reply needs an "error" string');
  return message as unknown as ControlReplyMessage;
}
