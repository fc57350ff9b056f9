import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../errors/index.js';
import { DiskFs } from '../../vfs/index.js';
import { renderCompose } from './renderer.js';

/**
 * The corpus in testdata/: each case is an app (base/, overlays/<env>/, .env files) with what
 * the reference `docker compose config --format json` printed for it, recorded by
 * .ci/suites/compose.sh --record with the tool and version in testdata/REFERENCE.json
 * (docker compose v2.29.7, built from github.com/docker/compose/v2/cmd). Both sides are
 * brought to the same shape before they are compared: the reference's project-scoped
 * names, its implicit default network and its `$$` escapes of literal dollars are dropped.
 */
const CORPUS = join(import.meta.dirname, 'testdata');
const REFERENCE = JSON.parse(readFileSync(join(CORPUS, 'REFERENCE.json'), 'utf8')) as { version: string };

interface CaseMeta {
  env?: string;
  error?: { code: string; file: string; line: number };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

function withoutDefaultNetwork(svc: Obj): Obj {
  const nets = svc.networks as Obj | undefined;
  if (!nets) return svc;
  const kept = Object.fromEntries(
    Object.entries(nets)
      .filter(([n]) => n !== 'default')
      .map(([n, o]) => [n, o ?? {}]),
  );
  const { networks: _n, ...rest } = svc;
  return Object.keys(kept).length > 0 ? { ...rest, networks: kept } : rest;
}

/** The reference's output in the shape Sluice's resources give. */
function fromReference(json: Obj): Obj {
  const unescaped = mapStrings(json, (s) => s.replaceAll('$$', '$').replace(/^\$CASE\//, '')) as Obj;
  const services: Obj = {};
  for (const [name, raw] of Object.entries((unescaped.services as Obj | undefined) ?? {})) {
    const svc = Object.fromEntries(Object.entries(raw as Obj).filter(([, v]) => v !== null));
    if (Array.isArray(svc.volumes)) {
      svc.volumes = (svc.volumes as Obj[]).map((m) => {
        const { volume, ...rest } = m;
        return isObj(volume) && Object.keys(volume).length === 0 ? rest : m;
      });
    }
    if (isObj(svc.deploy)) {
      // `config` prints the deploy sections a service leaves empty.
      svc.deploy = Object.fromEntries(
        Object.entries(svc.deploy).filter(([, v]) => !(isObj(v) && Object.keys(v).length === 0)),
      );
    }
    services[name] = withoutDefaultNetwork(svc);
  }
  const defs = (key: 'networks' | 'volumes'): Obj => {
    const out: Obj = {};
    for (const [name, raw] of Object.entries((unescaped[key] as Obj | undefined) ?? {})) {
      const def = { ...(raw as Obj) };
      if (def.name === `case_${name}`) delete def.name;
      if (isObj(def.ipam) && Object.keys(def.ipam).length === 0) delete def.ipam;
      if (key === 'networks' && name === 'default' && Object.keys(def).length === 0) continue;
      out[name] = def;
    }
    return out;
  };
  return { services, networks: defs('networks'), volumes: defs('volumes') };
}

function fromSluice(root: string, dir: string): Obj {
  const out: { services: Obj; networks: Obj; volumes: Obj } = { services: {}, networks: {}, volumes: {} };
  for (const { object } of renderCompose(new DiskFs(root), dir)) {
    const spec = object.spec as Obj;
    if (object.kind === 'Service') {
      // `config` does not print service extensions; x-sluice is checked by renderer.test.ts.
      const { 'x-sluice': _x, ...rest } = spec;
      out.services[object.metadata.name] = withoutDefaultNetwork(rest);
    } else if (object.kind === 'Network') {
      out.networks[object.metadata.name] = spec;
    } else if (object.kind === 'Volume') out.volumes[object.metadata.name] = spec;
  }
  return out;
}

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(CORPUS, e.name, 'case.json')))
  .map((e) => e.name);

describe(`compose corpus against docker compose ${REFERENCE.version}`, () => {
  it('has at least 20 cases, each with a recording', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) {
      const recorded = ['reference.json', 'reference.error'].filter((f) => existsSync(join(CORPUS, c, f)));
      expect(recorded, c).toHaveLength(1);
    }
  });

  for (const name of cases) {
    it(name, () => {
      const root = join(CORPUS, name);
      const meta = JSON.parse(readFileSync(join(root, 'case.json'), 'utf8')) as CaseMeta;
      const dir = meta.env ? `overlays/${meta.env}` : 'base';
      const referenceFailed = existsSync(join(root, 'reference.error'));
      if (meta.error) {
        let thrown: unknown;
        try {
          renderCompose(new DiskFs(root), dir);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(RenderError);
        const err = thrown as RenderError;
        expect({ code: err.code, file: err.location.file, line: err.location.line }).toEqual(meta.error);
        expect(err.hint).toBeTruthy();
        return;
      }
      expect(referenceFailed, 'the reference refused a case Sluice accepts').toBe(false);
      const reference = JSON.parse(readFileSync(join(root, 'reference.json'), 'utf8')) as Obj;
      expect(fromSluice(root, dir)).toEqual(fromReference(reference));
    });
  }
});
