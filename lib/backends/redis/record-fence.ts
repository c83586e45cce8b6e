/**
 * A record stored by an attempt that claimed a fence starts with it, `{"fence":<n>,…`, so the Lua
 * scripts read it from the key's first bytes (see lua/includes/fence.lua); readers drop it.
 */
export function withFence(json: string, fence: number | undefined): string {
  if (!fence) return json;
  return `{"fence":${fence},${json.slice(1)}`;
}
