import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ApiClient, serverUrl } from './client.js';
import { cliToken } from './credentials.js';
import { defaultDataDir } from './data-dir.js';

export { defaultDataDir };

export interface GlobalOptions {
  dataDir: string;
  server?: string;
  /** Where the store is (--store, SLUICE_STORE): unset for SQLite in the data directory, or postgres://…. */
  store?: string;
  /** This controller's name among several sharing one store (SLUICE_INSTANCE; default: the host name). */
  instance?: string;
}

export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ dataDir?: string; server?: string; store?: string }>();
  const store = o.store ?? process.env.SLUICE_STORE;
  const instance = process.env.SLUICE_INSTANCE;
  return {
    dataDir: resolve(o.dataDir ?? defaultDataDir()),
    ...(o.server ? { server: o.server } : {}),
    ...(store ? { store } : {}),
    ...(instance ? { instance } : {}),
  };
}

export function client(cmd: Command): ApiClient {
  const g = globals(cmd);
  const url = serverUrl(g);
  return new ApiClient(url, cliToken({ serverUrl: url, dataDir: g.dataDir }));
}

export type OutputFormat = 'text' | 'json';

/**
 * `-o, --output <format>` limited to `formats`: commander rejects anything else while parsing
 * (exit 2, naming the allowed values), before a command reads files or asks the server.
 */
export function outputOption(formats: readonly string[] = ['text', 'json'], defaultFormat = formats[0]!): Option {
  return new Option('-o, --output <format>', 'output format').choices(formats).default(defaultFormat);
}

export function outputFormat(cmd: Command): OutputFormat {
  const o = cmd.opts<{ output?: string }>().output ?? 'text';
  if (o !== 'text' && o !== 'json') throw new Error(`--output must be text or json, not "${o}"`);
  return o;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
