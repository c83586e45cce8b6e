import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageHeaders } from '../brokers/broker.interface.js';
import { InvalidEnvelopeError } from '../errors/invalid-envelope.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';

/** The header that carries a message's signature: `<key id>:<base64url HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'celeriac-signature';

/** Shortest signing key accepted, in bytes (32 random bytes are recommended). */
export const MIN_SIGNING_KEY_BYTES = 16;

/**
 * Message signing: producers sign each message body with `key`; workers accept a message only when
 * it carries a valid signature by `key` or one of `previousKeys` (keys being rotated out).
 */
export interface SigningOptions {
  /** The current key: signs every message sent, and verifies. */
  key: string | Buffer;
  /** Keys that still verify, so messages signed before a rotation still run. */
  previousKeys?: readonly (string | Buffer)[];
}

interface SigningKey {
  id: string;
  secret: Buffer;
}

/**
 * Signs and verifies message bodies with HMAC-SHA256. A key is named on the wire by an id derived
 * from it (a hash that does not reveal it), so a worker picks the right key without trying each.
 */
export class MessageSigner {
  private readonly current: SigningKey;
  private readonly keys: ReadonlyMap<string, SigningKey>;

  constructor(options: SigningOptions) {
    this.current = signingKey(options.key, 'signing.key');
    const previous = (options.previousKeys ?? []).map((key, i) =>
      signingKey(key, `signing.previousKeys[${i}]`),
    );
    this.keys = new Map([this.current, ...previous].map((key) => [key.id, key]));
  }

  /** Id of the key that signs (shown in logs and dead-letter reasons, never the key). */
  get keyId(): string {
    return this.current.id;
  }

  /** The signature header for `body`. */
  sign(body: string): MessageHeaders {
    return {
      [SIGNATURE_HEADER]: `${this.current.id}:${mac(this.current.secret, body).toString('base64url')}`,
    };
  }

  /** Throws {@link InvalidEnvelopeError} saying why, unless `headers` carry a valid signature of `body`. */
  verify(body: string, headers: Readonly<MessageHeaders>): void {
    const header = headers[SIGNATURE_HEADER];
    if (header === undefined || header === null) {
      throw new InvalidEnvelopeError(
        `unsigned message (this worker accepts only messages with a valid ${SIGNATURE_HEADER})`,
      );
    }
    const [id, signature, extra] = typeof header === 'string' ? header.split(':') : [];
    if (!id || !signature || extra !== undefined) {
      throw new InvalidEnvelopeError(
        `malformed ${SIGNATURE_HEADER} header (expected "<key id>:<signature>")`,
      );
    }
    const key = this.keys.get(id);
    if (!key) throw new InvalidEnvelopeError(`signed with an unknown key (key id ${id})`);
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(key.secret, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidEnvelopeError(
        `bad signature (key id ${id}): the message was altered or signed with another key`,
      );
    }
  }
}

function mac(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(body, 'utf8').digest();
}

function signingKey(key: string | Buffer, setting: string): SigningKey {
  const secret = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.isBuffer(key) ? key : undefined;
  if (!secret || secret.length < MIN_SIGNING_KEY_BYTES) {
    throw new TaskDefinitionError(
      `${setting}: a string or Buffer of at least ${MIN_SIGNING_KEY_BYTES} bytes`,
    );
  }
  const id = createHash('sha256')
    .update('celeriac-signing-key-id\0')
    .update(secret)
    .digest('base64url')
    .slice(0, 12);
  return { id, secret };
}
