import type { ComposePort, ComposeVolumeMount } from '../../model/compose.js';
import type { EnvFileRef, FileModel, FileService } from './canonical.js';
import { Override, RESET } from './source.js';
import { isObject } from './values.js';

/**
 * Merges an overlay file onto a base file by the compose-spec rules, both already in long
 * form: mappings merge key by key, the overlay winning; `command`, `entrypoint` and
 * `healthcheck.test` are replaced; `ports`, `volumes` and `env_file` merge by their unique key
 * (an overlay entry with the same key replaces the base's in place, others are appended);
 * `!reset` removes a value and `!override` replaces it without merging.
 */
export function mergeFiles(base: FileModel, overlay: FileModel): FileModel {
  const services: FileModel['services'] = { ...base.services };
  for (const [name, svc] of Object.entries(overlay.services)) {
    const b = services[name];
    if (svc === RESET) delete services[name];
    else services[name] = b === undefined || b === RESET ? svc : mergeService(b, svc);
  }
  return {
    services,
    networks: mergeMapping(base.networks, overlay.networks),
    volumes: mergeMapping(base.volumes, overlay.volumes),
  };
}

const portKey = (p: ComposePort) => `${p.host_ip ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol}`;

function mergeService(base: FileService, over: FileService): FileService {
  const out: FileService = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v === RESET) {
      delete out[k];
    } else if (v instanceof Override || b === undefined || b === null || b === RESET) {
      out[k] = v;
    } else if (k === 'ports') {
      out[k] = mergeByKey(b as ComposePort[], v as ComposePort[], portKey);
    } else if (k === 'volumes') {
      out[k] = mergeByKey(b as ComposeVolumeMount[], v as ComposeVolumeMount[], (m) => m.target);
    } else if (k === 'env_file') {
      out[k] = mergeByKey(b as EnvFileRef[], v as EnvFileRef[], (e) => e.path);
    } else if (k === 'environment' || k === 'labels') {
      out[k] = { ...(b as object), ...(v as object) };
    } else if (k === 'healthcheck' || k === 'deploy') {
      out[k] = { ...(b as object), ...(v as object) }; // test is a whole value: replaced
    } else if (k === 'depends_on' || k === 'networks' || k === 'x-sluice') {
      out[k] = mergeMapping(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v; // scalars, command and entrypoint
    }
  }
  return out;
}

function mergeByKey<T>(base: readonly T[], over: readonly T[], key: (t: T) => string): T[] {
  const out = [...base];
  const index = new Map(out.map((t, i) => [key(t), i]));
  for (const t of over) {
    const i = index.get(key(t));
    if (i === undefined) {
      index.set(key(t), out.length);
      out.push(t);
    } else out[i] = t;
  }
  return out;
}

/** Mappings merged recursively; sequences appended without duplicates; scalars replaced. */
function mergeMapping(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v === RESET) delete out[k];
    else if (v instanceof Override) out[k] = v.value;
    else if (isObject(b) && isObject(v)) out[k] = mergeMapping(b, v);
    else if (Array.isArray(b) && Array.isArray(v)) out[k] = [...b, ...v.filter((x) => !b.includes(x))];
    else out[k] = v;
  }
  return out;
}

/** The value with merge markers gone: `!reset` entries removed, `!override` unwrapped. */
export function withoutMarkers<T>(v: T): T {
  if (v instanceof Override) return withoutMarkers(v.value) as T;
  if (Array.isArray(v)) return v.filter((x) => x !== RESET).map(withoutMarkers) as T;
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== RESET) out[k] = withoutMarkers(x);
    return out as T;
  }
  return v;
}
