import type { Change, Plan } from '../../plan/types.js';
import { summarize } from '../../plan/types.js';
import type { PlanOptions } from '../types.js';
import { ValidationError } from '../../errors/index.js';
import { resourceRef, type Resource } from '../../model/resource.js';
import { isComposeObject } from '../../model/compose.js';
import { expectedBindings, serviceNetworks } from './container-spec.js';
import { configHash, fieldChanges, redactedSpec } from './hash.js';
import { composeIssues } from './validate.js';
import type { LiveContainer, ObservedSettings, ProjectState } from './live-state.js';
import type { ComposeServiceSpec } from '../../model/compose.js';

export interface DesiredService {
  name: string;
  spec: ComposeServiceSpec;
  hash: string;
  redacted: Record<string, unknown>;
  replicas: number;
}

export interface DesiredProject {
  services: DesiredService[];
  networks: Map<string, Record<string, unknown>>;
  volumes: Map<string, Record<string, unknown>>;
}

/** What to do with one existing container of a wanted service. */
export type Verdict =
  { action: 'keep' } | { action: 'start'; reason: string } | { action: 'replace'; reasons: string[] };

export function serviceKey(name: string): string {
  return `Service.compose.sluice.dev/${name}`;
}

/**
 * Keep, start or replace one container. The config hash decides first; a container created
 * by hand without Sluice's spec label is compared on what the Engine reports, so a project
 * first run with `docker compose up` is adopted as it is when it already runs the same thing.
 */
export function verdict(d: DesiredService, c: LiveContainer): Verdict {
  if (c.hash !== d.hash && c.spec) {
    const fields = fieldChanges(c.spec, d.redacted);
    return { action: 'replace', reasons: fields.length > 0 ? fields : ['config hash changed'] };
  }
  // Equal hashes, or a container started by hand: what the Engine runs must still match, or
  // someone recreated it under Sluice's labels with other settings.
  const diffs = observedDifferences(d.spec, c.observed);
  if (diffs.length > 0)
    return { action: 'replace', reasons: diffs.map((x) => (c.hash === d.hash ? `changed outside Sluice: ${x}` : x)) };
  // A one-off service (a migration) that finished well is done, not down.
  const oneOff = d.spec.restart === undefined || d.spec.restart === 'no';
  if (c.state === 'exited' && c.exitCode === 0 && oneOff) return { action: 'keep' };
  if (c.state !== 'running') return { action: 'start', reason: `container ${c.name} is ${c.state}` };
  return { action: 'keep' };
}

const show = (v: unknown) => JSON.stringify(v);

export function observedDifferences(spec: ComposeServiceSpec, o: ObservedSettings): string[] {
  const out: string[] = [];
  if (o.image !== spec.image) out.push(`image: ${show(o.image)} → ${show(spec.image)}`);
  const defaults = o.imageDefaults;
  const wantedEnv = new Map<string, string>();
  for (const e of defaults?.env ?? []) wantedEnv.set(e.slice(0, e.indexOf('=')), e);
  for (const [k, v] of Object.entries(spec.environment ?? {})) if (v !== null) wantedEnv.set(k, `${k}=${v}`);
  const liveEnv = new Map(o.env.map((e) => [e.slice(0, e.indexOf('=')), e]));
  for (const k of [...new Set([...wantedEnv.keys(), ...liveEnv.keys()])].sort()) {
    const a = liveEnv.get(k);
    const b = wantedEnv.get(k);
    // Docker adds PATH to containers of images that set none.
    if (a === b || (k === 'PATH' && b === undefined)) continue;
    out.push(
      `environment.${k}: ${a === undefined ? '(unset)' : '(secret)'} → ${b === undefined ? '(unset)' : '(secret)'}`,
    );
  }
  const cmd = spec.command ?? (spec.entrypoint ? null : defaults?.cmd);
  if (cmd !== undefined && show(cmd ?? null) !== show(o.cmd ?? null))
    out.push(`command: ${show(o.cmd)} → ${show(cmd)}`);
  const entrypoint = spec.entrypoint ?? defaults?.entrypoint;
  if (entrypoint !== undefined && show(entrypoint ?? null) !== show(o.entrypoint ?? null))
    out.push(`entrypoint: ${show(o.entrypoint)} → ${show(entrypoint)}`);
  const ports = expectedBindings(spec);
  // A container that binds its fixed ports itself (adopted from `docker compose up`) runs the
  // same service; it moves behind Sluice's port proxy at its next replacement.
  if (show(ports) !== show(o.ports) && show(expectedBindings(spec, false)) !== show(o.ports))
    out.push(`ports: ${show(o.ports)} → ${show(ports)}`);
  const restart = spec.restart ?? 'no';
  if (restart !== o.restart) out.push(`restart: ${show(o.restart)} → ${show(restart)}`);
  return out;
}

function change(action: Change['action'], kind: string, name: string, reason?: string, diff?: string): Change {
  const key = `${kind}.compose.sluice.dev/${name}`;
  return { action, key, kind, name, ...(reason ? { reason } : {}), ...(diff ? { diff } : {}) };
}

function flatten(prefix: string, v: unknown, out: Map<string, string>): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** Fingerprints are compared, never shown: a changed secret appears as a changed line. */
const shown = (v: string) => (v.startsWith('"fp:') ? '(secret)' : v);

/** `- spec.image: "a"` / `+ spec.image: "b"` lines, secret values masked. */
export function specDiff(before: unknown, after: unknown): string {
  const a = flatten('spec', before ?? {}, new Map());
  const b = flatten('spec', after, new Map());
  const lines: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === y) continue;
    if (x !== undefined) lines.push(`- ${k}: ${shown(x)}`);
    if (y !== undefined) lines.push(`+ ${k}: ${shown(y)}`);
  }
  return lines.join('\n');
}

/** Desired vs live, without I/O. */
export function planProject(
  desired: DesiredProject,
  live: ProjectState,
  options: PlanOptions & { pruneVolumes: boolean },
): Plan {
  const changes: Change[] = [];
  const liveNetworks = new Set(live.networks.map((n) => n.key));
  const liveVolumes = new Set(live.volumes.map((v) => v.key));
  for (const key of desired.networks.keys())
    changes.push(
      liveNetworks.has(key) ? change('unchanged', 'Network', key) : change('create', 'Network', key, 'not created yet'),
    );
  for (const key of desired.volumes.keys())
    changes.push(
      liveVolumes.has(key) ? change('unchanged', 'Volume', key) : change('create', 'Volume', key, 'not created yet'),
    );
  for (const d of desired.services) {
    const mine = live.containers.filter((c) => c.service === d.name);
    if (mine.length === 0) {
      const what = d.replicas === 1 ? '1 container' : `${d.replicas} containers`;
      changes.push(
        change('create', 'Service', d.name, `not running (${what} to start)`, specDiff(undefined, d.redacted)),
      );
      continue;
    }
    const reasons = new Set<string>();
    let before: unknown;
    for (const c of mine.filter((x) => x.number <= d.replicas)) {
      const v = verdict(d, c);
      if (v.action === 'replace') {
        v.reasons.forEach((r) => reasons.add(r));
        before ??= c.spec;
      }
      if (v.action === 'start') reasons.add(v.reason);
    }
    const running = new Set(mine.filter((c) => c.number <= d.replicas).map((c) => c.number)).size;
    if (running < d.replicas) reasons.add(`${running} of ${d.replicas} containers exist`);
    const extra = mine.filter((c) => c.number > d.replicas).length;
    if (extra > 0) reasons.add(`${extra} container${extra === 1 ? '' : 's'} above ${d.replicas} replicas`);
    changes.push(
      reasons.size === 0
        ? change('unchanged', 'Service', d.name)
        : change(
            'update',
            'Service',
            d.name,
            [...reasons].join('; '),
            before ? specDiff(before, d.redacted) : undefined,
          ),
    );
  }
  if (options.prune) {
    const wanted = new Set(desired.services.map((s) => s.name));
    for (const s of new Set(live.containers.map((c) => c.service)))
      if (!wanted.has(s)) changes.push(change('delete', 'Service', s, 'not in Git any more'));
    for (const n of live.networks)
      if (!desired.networks.has(n.key)) changes.push(change('delete', 'Network', n.key, 'not in Git any more'));
    if (options.pruneVolumes)
      for (const v of live.volumes)
        if (!desired.volumes.has(v.key)) changes.push(change('delete', 'Volume', v.key, 'not in Git any more'));
  }
  return { changes, summary: summarize(changes) };
}

/** The Compose project the rendered resources declare; a service of the wrong shape is refused by name. */
export function desiredProject(resources: Resource[]): DesiredProject {
  const services: DesiredService[] = [];
  const networks = new Map<string, Record<string, unknown>>();
  const volumes = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    if (!isComposeObject(r)) continue;
    const spec = (r['spec'] ?? {}) as Record<string, unknown>;
    if (r.kind === 'Network') networks.set(r.metadata.name, spec);
    if (r.kind === 'Volume') volumes.set(r.metadata.name, spec);
    if (r.kind === 'Network' || r.kind === 'Volume') continue;
    const issues = composeIssues(r);
    if (issues.length > 0) {
      const first = issues[0]!;
      throw new ValidationError('DOCKER_SERVICE', `${resourceRef(r)}: ${first.message}`, {
        resource: resourceRef(r),
        field: first.path.join('.'),
        ...(first.hint ? { hint: first.hint } : {}),
      });
    }
    // validate() above checked the shape.
    const s = spec as unknown as ComposeServiceSpec;
    services.push({
      name: r.metadata.name,
      spec: s,
      hash: configHash(s),
      redacted: redactedSpec(r.metadata.name, s),
      replicas: s.deploy?.replicas ?? 1,
    });
  }
  for (const s of services)
    for (const n of serviceNetworks(s.spec)) if (n === 'default' && !networks.has(n)) networks.set(n, {});
  return { services, networks, volumes };
}
