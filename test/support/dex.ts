import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePortBlock, ROOT } from './sluice.js';

/**
 * A real Dex (the OpenID Connect provider) for single sign-on tests, built by test/dex/build.sh
 * and run on loopback with in-memory storage, one static client and static password users.
 */

/** bcrypt of "password" (Dex's own example users use it); every test user signs in with it. */
export const DEX_PASSWORD = 'password';
const PASSWORD_HASH = '$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W';

export interface DexUser {
  email: string;
  username: string;
  name: string;
  /** Dex's user ID; the ID token's `sub` encodes it together with the connector ID. */
  userID: string;
  /** Static password users carry groups in Dex's password database (sent with the groups scope). */
  groups: string[];
}

export interface DexClient {
  id: string;
  secret: string;
  redirectURIs: string[];
}

export interface Dex {
  issuer: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * The directory holding the Dex binary: SLUICE_DEX_BIN_DIR when set, else built (or taken from
 * its cache) by test/dex/build.sh. Returns undefined when Go is missing outside CI, so a
 * developer without Go skips the suite; under CI=true that is an error.
 */
export function dexBinary(): string | undefined {
  const dir = process.env.SLUICE_DEX_BIN_DIR;
  if (dir) return join(dir, 'dex');
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    if (process.env.CI === 'true') throw new Error('Go is required to build Dex for the single sign-on tests');
    return undefined;
  }
  const out = execFileSync('bash', [join(ROOT, 'test/dex/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bin = join(out.trim(), 'dex');
  if (!existsSync(bin)) throw new Error(`test/dex/build.sh printed ${out.trim()} but ${bin} does not exist`);
  return bin;
}

/**
 * The `sub` claim Dex gives a password user: its internal ID token subject is the protobuf
 * message {1: user ID, 2: connector ID}, base64url without padding.
 */
export function dexSubject(userID: string, connectorID = 'local'): string {
  const field = (tag: number, s: string) => {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 127) throw new Error('dexSubject handles short IDs only');
    return Buffer.concat([Buffer.from([tag, b.length]), b]);
  };
  return Buffer.concat([field(0x0a, userID), field(0x12, connectorID)]).toString('base64url');
}

export async function startDex(o: { bin: string; client: DexClient; users: DexUser[] }): Promise<Dex> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-dex-'));
  // A port can be taken between choosing and binding it; Dex then exits, and another is tried.
  for (let attempt = 1; ; attempt++) {
    const port = await freePortBlock(1);
    const issuer = `http://127.0.0.1:${port}/dex`;
    const config = {
      issuer,
      storage: { type: 'memory' },
      web: { http: `127.0.0.1:${port}` },
      logger: { level: 'info', format: 'json' },
      oauth2: { skipApprovalScreen: true },
      staticClients: [{ ...o.client, name: 'Sluice' }],
      enablePasswordDB: true,
      staticPasswords: o.users.map((u) => ({
        email: u.email,
        hash: PASSWORD_HASH,
        username: u.username,
        name: u.name,
        userID: u.userID,
        groups: u.groups,
      })),
    };
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(config));
    const child = spawn(o.bin, ['serve', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const ready = await untilReady(issuer, exited);
    if (ready) {
      return {
        issuer,
        output: () => out,
        stop: async () => {
          await stop(child, exited);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (attempt >= 3 || !/address already in use/.test(out)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dex did not start:\n${out}`);
    }
  }
}

/** True once discovery answers; false when Dex exited first. */
async function untilReady(issuer: string, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `${issuer}/.well-known/openid-configuration`;
  for (;;) {
    if (gone) return false;
    try {
      const r = await fetch(url);
      if (r.ok && ((await r.json()) as { issuer?: string }).issuer === issuer) return true;
    } catch {
      // not listening yet
    }
    await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // Dex drains its listeners on SIGTERM; a hung one is killed rather than left behind.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
