#!/usr/bin/env node
import { runCli } from './run-cli.js';

// `celeriac` — the package's binary. Ctrl-C stops commands that run until stopped (`events`).
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
const code = await runCli(process.argv.slice(2), undefined, stop.signal);
// Connections are closed by now; exit without waiting for a reconnect timer a driver may hold.
process.exit(code);
