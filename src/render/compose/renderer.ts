import type { RenderedResource, Resource } from '../../model/resource.js';
import { markDecrypted } from '../../secrets/index.js';
import type { ReadonlyFs } from '../../vfs/index.js';
import type { ImagePin, Renderer, RenderRequest } from '../types.js';
import type { FileService } from './canonical.js';
import { composeFileIn, composeLayout } from './layout.js';
import { COMPOSE_API_VERSION, type ComposeVolumeMount } from '../../model/compose.js';
import { pinComposeImage } from './pin.js';
import { loadProject } from './project.js';
import { serviceSpec } from './service-spec.js';
import { isObject } from './values.js';

/**
 * Compose projects: `<app>/base/compose.yaml` with an optional partial compose file in
 * `<app>/overlays/<env>/`, merged by the compose-spec rules and interpolated from the `.env`
 * files of base and overlay. One resource per service, network and volume.
 */
export const composeRenderer: Renderer = {
  name: 'compose',
  detect(fs: ReadonlyFs, dir: string): boolean {
    return composeLayout(fs, dir).baseFile !== undefined || composeFileIn(fs, dir) !== undefined;
  },
  render({ fs, dir }: RenderRequest): RenderedResource[] {
    return renderCompose(fs, dir);
  },
  pinImage(files: ReadonlyMap<string, string>, dir: string, image: ImagePin) {
    return pinComposeImage(files, dir, image);
  },
};

export function renderCompose(fs: ReadonlyFs, dir: string): RenderedResource[] {
  const project = loadProject(fs, dir);
  const { model } = project;
  const out: RenderedResource[] = [];
  for (const [name, svc] of Object.entries(model.services).sort(([a], [b]) => a.localeCompare(b))) {
    const at = ['services', name];
    const { spec, encrypted } = serviceSpec(project, name, svc as FileService);
    let object: Resource = {
      apiVersion: COMPOSE_API_VERSION,
      kind: 'Service',
      metadata: { name },
      spec: sortKeys(spec),
    };
    if (encrypted) object = markDecrypted(object, encrypted);
    const source = project.sourceOf(at);
    out.push({
      object,
      origin: {
        file: source.file,
        line: source.line(at),
        locate: (path) => (path[0] === 'spec' ? source.line([...at, ...path.slice(1)]) : undefined),
      },
    });
  }
  // Like `docker compose config`, only what some service uses: a declaration left behind
  // by an overlay's change creates nothing.
  const used = { networks: new Set<string>(), volumes: new Set<string>() };
  for (const svc of Object.values(model.services) as FileService[]) {
    const nets = Object.keys((svc.networks as object | undefined) ?? {});
    for (const n of nets.length > 0 ? nets : ['default']) used.networks.add(n);
    for (const m of (svc.volumes as ComposeVolumeMount[] | undefined) ?? [])
      if (m.type === 'volume' && m.source) used.volumes.add(m.source);
  }
  for (const [kind, key] of [
    ['Network', 'networks'],
    ['Volume', 'volumes'],
  ] as const) {
    for (const [name, spec] of Object.entries(model[key]).sort(([a], [b]) => a.localeCompare(b))) {
      if (!used[key].has(name)) continue;
      const at = [key, name];
      const source = project.sourceOf(at);
      out.push({
        object: { apiVersion: COMPOSE_API_VERSION, kind, metadata: { name }, spec: sortKeys(spec ?? {}) },
        origin: { file: source.file, line: source.line(at), locate: (path) => source.line([...at, ...path.slice(1)]) },
      });
    }
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}
