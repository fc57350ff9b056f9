import { RenderError } from '../../errors/index.js';
import type { RenderedResource, Resource } from '../../model/resource.js';
import { markDecrypted } from '../../secrets/index.js';
import { joinPath, type ReadonlyFs } from '../../vfs/index.js';
import type { ImagePin, Renderer, RenderRequest } from '../types.js';
import { canonicalFile, type EnvFileRef, type FileModel, type FileService } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { interpolateSource } from './interpolate.js';
import { composeFileIn, composeLayout } from './layout.js';
import { mergeFiles, withoutMarkers } from './merge.js';
import {
  COMPOSE_API_VERSION,
  type ComposeDependsOn,
  type ComposeServiceSpec,
  type ComposeVolumeMount,
} from './model.js';
import { pinComposeImage } from './pin.js';
import { parseComposeSource, type ComposeSource } from './source.js';
import { isObject } from './values.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

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
  const layout = composeLayout(fs, dir);
  if (!layout.baseFile) {
    throw new RenderError('COMPOSE_FILE_MISSING', `${dir} has no compose file`, {
      file: dir,
      hint: "Put compose.yaml in the app's base/ directory (overlays hold partial files merged onto it).",
    });
  }
  const isEncrypted = (fs as { isEncrypted?: (p: string) => boolean }).isEncrypted?.bind(fs) ?? (() => false);
  const envFiles = [
    joinPath(layout.baseDir, '.env'),
    ...(layout.overlayDir ? [joinPath(layout.overlayDir, '.env')] : []),
  ];
  const vars = new Map<string, string>();
  let encryptedVars: string | undefined;
  for (const f of envFiles) {
    if (fs.stat(f) !== 'file') continue;
    // Later files win: the environment's own .env overrides the base's.
    for (const [k, v] of parseDotenv(decoder.decode(fs.readFile(f)), f, vars)) if (v !== null) vars.set(k, v);
    if (isEncrypted(f)) encryptedVars = f;
  }

  const sources: ComposeSource[] = [];
  let model: FileModel | undefined;
  for (const file of [layout.baseFile, layout.overlayFile]) {
    if (!file) continue;
    const source = parseComposeSource(decoder.decode(fs.readFile(file)), file);
    interpolateSource(source, vars);
    const canonical = canonicalFile(source, layout.baseDir);
    model = model ? mergeFiles(model, canonical) : withoutMarkers(canonical);
    sources.push(source);
  }
  model = withoutMarkers(model!);
  const whereIs = (path: (string | number)[]): ComposeSource => {
    for (let i = sources.length - 1; i > 0; i--) if (sources[i]!.has(path.slice(0, 2))) return sources[i]!;
    return sources[0]!;
  };
  /** `atKey` points at the entry's key rather than at its value (which may start a line below). */
  const fail = (path: (string | number)[], message: string, hint: string, atKey = false): never => {
    const s = whereIs(path);
    throw new RenderError('COMPOSE_INVALID', message, {
      file: s.file,
      line: atKey ? s.keyLine(path) : s.line(path),
      field: path.join('.'),
      hint,
    });
  };

  const out: RenderedResource[] = [];
  for (const [name, raw] of Object.entries(model.services).sort(([a], [b]) => a.localeCompare(b))) {
    const svc = raw as FileService;
    const at = ['services', name];
    if (typeof svc.image !== 'string')
      fail(at, `service ${name} has no image`, 'Set image: in base/ or in the overlay.', true);
    let encrypted = encryptedVars;
    const environment: Record<string, string | null> = {};
    for (const ref of (svc.env_file as EnvFileRef[] | undefined) ?? []) {
      if (fs.stat(ref.path) !== 'file') {
        if (!ref.required) continue;
        throw new RenderError('COMPOSE_ENV_FILE_MISSING', `env_file ${ref.path} does not exist`, {
          file: ref.file,
          line: ref.line,
          hint: 'env_file paths are relative to base/ (the project directory), as in compose; or set required: false.',
        });
      }
      for (const [k, v] of parseDotenv(decoder.decode(fs.readFile(ref.path)), ref.path, vars)) environment[k] = v;
      if (isEncrypted(ref.path)) encrypted = ref.path;
    }
    Object.assign(environment, svc.environment ?? {});
    // A variable named without a value takes it from the environment's .env, as compose does.
    for (const [k, v] of Object.entries(environment)) if (v === null && vars.has(k)) environment[k] = vars.get(k)!;

    const spec: Record<string, unknown> = { ...svc };
    delete spec.env_file;
    if (Object.keys(environment).length > 0) spec.environment = environment;
    else delete spec.environment;
    if (svc.depends_on) {
      const deps: Record<string, ComposeDependsOn> = {};
      for (const [dep, d] of Object.entries(svc.depends_on as Record<string, Partial<ComposeDependsOn>>)) {
        const entry: ComposeDependsOn = { condition: d.condition ?? 'service_started', required: d.required ?? true };
        if (d.restart !== undefined) entry.restart = d.restart;
        // Compose refuses this even with required: false, which only tolerates a failed start.
        if (!model.services[dep])
          fail(
            [...at, 'depends_on', dep],
            `service ${name} depends on ${dep}, which is not defined`,
            `Define service ${dep}, or remove it from depends_on.`,
            true,
          );
        deps[dep] = entry;
      }
      spec.depends_on = deps;
    }
    for (const m of (svc.volumes as ComposeVolumeMount[] | undefined) ?? []) {
      if (m.type === 'volume' && m.source && !(m.source in model.volumes))
        fail(
          [...at, 'volumes'],
          `service ${name} uses volume ${m.source}, which is not declared`,
          `Declare it under the top-level volumes: (${m.source}: {}).`,
        );
    }
    for (const n of Object.keys((svc.networks as object | undefined) ?? {})) {
      if (n !== 'default' && !(n in model.networks))
        fail(
          [...at, 'networks', n],
          `service ${name} joins network ${n}, which is not declared`,
          `Declare it under the top-level networks: (${n}: {}).`,
        );
    }
    for (const k of ['ports', 'volumes', 'labels'] as const) {
      const v = spec[k];
      if ((Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)) delete spec[k];
    }
    let object: Resource = {
      apiVersion: COMPOSE_API_VERSION,
      kind: 'Service',
      metadata: { name },
      spec: sortKeys(spec) as unknown as ComposeServiceSpec,
    };
    if (encrypted) object = markDecrypted(object, encrypted);
    const source = whereIs(at);
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
      const source = whereIs(at);
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
