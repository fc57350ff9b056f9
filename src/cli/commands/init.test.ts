import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { renderApp } from '../../render/index.js';
import { writeConfigRepo } from '../../scaffold/index.js';
import { DiskFs } from '../../vfs/index.js';
import { DEFAULT_PORT } from '../client.js';
import { main } from '../main.js';
import { INIT_BASE_PORT } from './init.js';
import { quickstartFiles } from './quickstart.js';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sluice-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

async function init(dir: string, ...flags: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void (out += `${args.join(' ')}\n`));
  try {
    expect(await main(['init', dir, ...flags])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

function clone(repo: string, to: string): string {
  execFileSync('git', ['clone', '-q', repo, to]);
  return to;
}

/** Every committed file of a work tree, path → text. */
function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

interface ProcessDoc {
  spec: { command: string; args: string[]; port: number; replicas: number; service: { port: number } };
}

const manifest = (repo: string, env: string) =>
  parse(readFileSync(join(repo, `apps/hello/overlays/${env}/hello.yaml`), 'utf8')) as ProcessDoc;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((res, rej) => {
    request({ host: '127.0.0.1', port, path }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res(body));
    })
      .on('error', rej)
      .end();
  });
}

describe('sluice init', () => {
  it('commits nothing that points into the Sluice checkout, so a clone elsewhere works', async () => {
    const repo = join(work, 'made');
    await init(repo);
    const copy = clone(repo, join(work, 'elsewhere', 'copy'));
    for (const [path, text] of filesOf(copy))
      expect(text.includes(CHECKOUT), `${path} mentions ${CHECKOUT}`).toBe(false);

    // The editor schema is referred to relatively and committed with the repo.
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(
      readFileSync(join(copy, 'sluice.yaml'), 'utf8'),
    )![1]!;
    expect(modeline.startsWith('./')).toBe(true);
    expect(readFileSync(join(copy, modeline), 'utf8')).toBe(
      readFileSync(join(CHECKOUT, 'schema/sluice.schema.json'), 'utf8'),
    );

    // The sample service runs from the clone's manifest alone.
    const { spec } = manifest(copy, 'dev');
    const port = await freePort();
    const child = spawn(spec.command, spec.args, {
      cwd: work,
      env: { ...process.env, PORT: String(port), SLUICE_ENV: 'dev' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((res, rej) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('hello listening') && res()));
        child.once('exit', (code) => rej(new Error(`the sample exited with ${code}: ${out}`)));
      });
      expect(await get(port, '/healthz')).toBe('ok\n');
      expect(await get(port, '/')).toContain('Hello from dev');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('says truly what editing base does: nothing, while every environment has an overlay', async () => {
    const repo = join(work, 'base');
    await init(repo);
    const basePath = join(repo, 'apps/hello/base/hello.yaml');
    const base = readFileSync(basePath, 'utf8');
    expect(base).toMatch(/^# .*editing this file changes none of them/m);
    const render = (env: string) =>
      renderApp(new DiskFs(repo), { name: 'hello', path: 'apps/hello' }, env).resources.map((r) => r.object);
    const before = ['dev', 'staging', 'prod'].map(render);
    writeFileSync(basePath, base.replace('replicas: 1', 'replicas: 7'));
    expect(['dev', 'staging', 'prod'].map(render)).toEqual(before);
    // Without its overlay, an environment runs base, edits included.
    for (const f of readdirSync(join(repo, 'apps/hello/overlays/staging')))
      unlinkSync(join(repo, 'apps/hello/overlays/staging', f));
    rmSync(join(repo, 'apps/hello/overlays/staging'), { recursive: true });
    expect((render('staging')[0]!.spec as { replicas: number }).replicas).toBe(7);
  });

  it('picks ports that run beside a quick start on its defaults', async () => {
    const repo = join(work, 'ports');
    const out = await init(repo);
    const qsData = join(work, 'qs-data');
    const qsRepo = join(qsData, 'quickstart', 'config');
    writeConfigRepo(qsRepo, quickstartFiles(qsData, DEFAULT_PORT));

    const ports = (r: string, api: number) => {
      const used = new Set([api]);
      for (const env of ['dev', 'staging', 'prod']) {
        const { spec } = manifest(r, env);
        used.add(spec.service.port);
        // Each replica may take two ports while it rolls; four replicas fit in an environment's block.
        for (let p = spec.port; p < spec.port + 2 * Math.max(spec.replicas, 4); p++) used.add(p);
      }
      return used;
    };
    const apiPort = Number(/ --port (\d+)/.exec(out)![1]);
    expect(apiPort).toBe(INIT_BASE_PORT);
    const mine = ports(repo, apiPort);
    const quickstart = ports(qsRepo, DEFAULT_PORT);
    expect([...mine].filter((p) => quickstart.has(p))).toEqual([]);
    // And its own data dir: two Sluices on one would adopt each other's processes.
    expect(out).toMatch(/sluice --data-dir \S+-demo serve/);
  });

  it('commits no path of the Sluice checkout in the quick start repo either', () => {
    const data = join(work, 'qs-clone-data');
    const repo = join(data, 'quickstart', 'config');
    writeConfigRepo(repo, quickstartFiles(data, DEFAULT_PORT));
    const copy = clone(repo, join(work, 'qs-clone'));
    for (const [path, text] of filesOf(copy))
      expect(text.includes(CHECKOUT), `${path} mentions ${CHECKOUT}`).toBe(false);
    expect(readFileSync(join(copy, 'sluice.yaml'), 'utf8')).toContain('$schema=./sluice.schema.json');
  });
});
