import { describe, expect, it } from 'vitest';
import { configHash, redactedSpec } from './hash.js';
import type { LiveContainer, ObservedSettings, ProjectState } from './live-state.js';
import type { ComposeServiceSpec } from '../../model/compose.js';
import { planProject, verdict, type DesiredProject, type DesiredService } from './plan.js';

function desired(name: string, spec: ComposeServiceSpec): DesiredService {
  return {
    name,
    spec,
    hash: configHash(spec),
    redacted: redactedSpec(name, spec),
    replicas: spec.deploy?.replicas ?? 1,
  };
}

const image = { env: ['PATH=/bin'], cmd: ['httpd'], entrypoint: null };

/** A container as Sluice would have created it from `spec`. */
function created(
  d: DesiredService,
  over: Partial<LiveContainer> = {},
  observed: Partial<ObservedSettings> = {},
): LiveContainer {
  return {
    id: 'c1',
    name: `p-${d.name}-1`,
    service: d.name,
    number: 1,
    hash: d.hash,
    spec: d.redacted,
    state: 'running',
    ports: [],
    observed: {
      image: d.spec.image,
      env: [...image.env, ...Object.entries(d.spec.environment ?? {}).map(([k, v]) => `${k}=${v}`)],
      cmd: d.spec.command ?? image.cmd,
      entrypoint: d.spec.entrypoint ?? null,
      ports: (d.spec.ports ?? []).map((p) => `${p.target}/${p.protocol}=${p.published}`),
      restart: d.spec.restart ?? 'no',
      imageDefaults: image,
      ...observed,
    },
    ...over,
  };
}

const project = (services: DesiredService[]): DesiredProject => ({
  services,
  networks: new Map([['default', {}]]),
  volumes: new Map([['data', {}]]),
});
const state = (containers: LiveContainer[]): ProjectState => ({
  containers,
  heldBy: [],
  networks: [{ key: 'default', name: 'p_default' }],
  volumes: [{ key: 'data', name: 'p_data' }],
});

describe('what to do with a container', () => {
  const web = desired('web', { image: 'shop/web:1', environment: { A: '1' }, restart: 'on-failure:3' });

  it('keeps one created from the same spec', () => {
    expect(verdict(web, created(web))).toEqual({ action: 'keep' });
  });

  it('replaces one from another spec, naming each field', () => {
    const old = desired('web', { ...web.spec, image: 'shop/web:0' });
    expect(verdict(web, created(old))).toEqual({ action: 'replace', reasons: ['image: "shop/web:0" → "shop/web:1"'] });
  });

  it('adopts a container started by hand that runs the same thing, whatever its hash', () => {
    const byHand = created(web, { hash: 'compose-hash', spec: undefined });
    expect(verdict(web, byHand)).toEqual({ action: 'keep' });
    expect(verdict(web, { ...byHand, observed: { ...byHand.observed, env: ['A=2'] } })).toEqual({
      action: 'replace',
      reasons: ['environment.A: (secret) → (secret)', 'environment.PATH: (unset) → (secret)'],
    });
  });

  it('sees a container recreated by hand under copied labels', () => {
    const v = verdict(web, created(web, {}, { cmd: ['sleep', '1'] }));
    expect(v).toEqual({ action: 'replace', reasons: ['changed outside Sluice: command: ["sleep","1"] → ["httpd"]'] });
  });

  it('starts a stopped one, but leaves a one-off that finished well', () => {
    expect(verdict(web, created(web, { state: 'exited', exitCode: 137 }))).toEqual({
      action: 'start',
      reason: 'container p-web-1 is exited',
    });
    const job = desired('migrate', { image: 'shop/migrate:1' });
    expect(verdict(job, created(job, { state: 'exited', exitCode: 0 }))).toEqual({ action: 'keep' });
    expect(verdict(job, created(job, { state: 'exited', exitCode: 1 })).action).toBe('start');
  });
});

describe('planning a project', () => {
  it('plans scale changes, new services and prunes, never a named volume unless asked', () => {
    const web = desired('web', { image: 'shop/web:1', deploy: { replicas: 2 } });
    const api = desired('api', { image: 'shop/api:1' });
    const old = desired('old', { image: 'shop/old:1' });
    const live = state([created(web), created(old)]);
    const plan = planProject({ ...project([web, api]), volumes: new Map() }, live, {
      prune: true,
      pruneVolumes: false,
    });
    expect(plan.changes.map((c) => [c.action, c.key, c.reason])).toEqual([
      ['unchanged', 'Network.compose.sluice.dev/default', undefined],
      ['update', 'Service.compose.sluice.dev/web', '1 of 2 containers exist'],
      ['create', 'Service.compose.sluice.dev/api', 'not running (1 container to start)'],
      ['delete', 'Service.compose.sluice.dev/old', 'not in Git any more'],
    ]);
    const withVolumes = planProject({ ...project([web]), volumes: new Map() }, live, {
      prune: true,
      pruneVolumes: true,
    });
    expect(withVolumes.changes.filter((c) => c.kind === 'Volume').map((c) => c.action)).toEqual(['delete']);
  });

  it('shows a changed service as a per-field diff with secrets masked', () => {
    const before = desired('web', { image: 'shop/web:1', environment: { TOKEN: 'a' } });
    const after = desired('web', { image: 'shop/web:2', environment: { TOKEN: 'b' } });
    const plan = planProject(project([after]), state([created(before)]), { prune: false, pruneVolumes: false });
    const c = plan.changes.find((x) => x.kind === 'Service')!;
    expect(c.diff).toBe(
      [
        '- spec.environment.TOKEN: (secret)',
        '+ spec.environment.TOKEN: (secret)',
        '- spec.image: "shop/web:1"',
        '+ spec.image: "shop/web:2"',
      ].join('\n'),
    );
  });
});
