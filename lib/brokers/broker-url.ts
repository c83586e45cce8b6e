import { TaskDefinitionError } from '../errors/task-definition.error.js';

/** `redis://user:pw@host` → `redis`. */
export function schemeOf(url: string): string {
  // `localhost:6379` would read as the scheme "localhost": a host and port without a scheme.
  const match = /^([a-z][a-z0-9+.-]*):(?!\d+(?:\/|$))/i.exec(url);
  if (!match)
    throw new TaskDefinitionError(
      `"${redactUrl(url)}" is not a URL: write it with its scheme, e.g. redis://127.0.0.1:6379 or amqp://guest:guest@127.0.0.1:5672`,
    );
  return match[1].toLowerCase();
}

/** Hides a password before a URL goes into a message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
