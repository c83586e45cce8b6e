import { DEAD_LETTER_BODY_PREFIX_BYTES } from '../celeriac.constants.js';

/**
 * The size in bytes of a body over `limit`, or undefined when it fits (or there is no limit). A
 * string's UTF-8 size is at most three bytes per UTF-16 unit, so a short string is never measured.
 */
export function oversizedBytes(body: string | Buffer, limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof body === 'string' && body.length * 3 <= limit) return undefined;
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return bytes > limit ? bytes : undefined;
}

/** Why an oversized message was dead-lettered; the same words on every broker. */
/** `bytes` may be a placeholder a script fills in. */
export function oversizedReason(bytes: number | string, limit: number): string {
  return (
    `message body of ${bytes} bytes exceeds maxReceiveBytes (${limit}): dead-lettered unread, ` +
    `keeping its first ${DEAD_LETTER_BODY_PREFIX_BYTES} bytes`
  );
}

/** The first bytes of a body that its dead-letter copy keeps, cut on a UTF-8 character boundary. */
export function bodyPrefix(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body.slice(0, DEAD_LETTER_BODY_PREFIX_BYTES)) : body;
  let end = Math.min(bytes.length, DEAD_LETTER_BODY_PREFIX_BYTES);
  // Back off over continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
  return Buffer.from(bytes.subarray(0, end));
}
