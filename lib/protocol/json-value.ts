/** A value that survives `JSON.stringify` / `JSON.parse` unchanged: the only kind that crosses the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
