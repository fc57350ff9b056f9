import { RenderError } from '../../errors/index.js';
import { isWithin, joinPath } from '../../vfs/index.js';
import type {
  ComposeDependsOn,
  ComposeHealthcheck,
  ComposePort,
  ComposeServiceNetwork,
  ComposeVolumeMount,
} from '../../model/compose.js';
import { Override, RESET, type ComposeSource, type Path } from './source.js';
import {
  asBoolean,
  asInteger,
  formatDuration,
  isObject,
  parseDuration,
  scalarString,
  splitShellWords,
} from './values.js';

/** A service field as one file writes it, in long form; merge markers kept for the merge. */
export type FileService = Record<string, unknown>;

/** One file's model in long form, before merge. */
export interface FileModel {
  services: Record<string, FileService | typeof RESET>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
}

/** An `env_file:` entry, its path resolved inside the repo. */
export interface EnvFileRef {
  path: string;
  required: boolean;
  /** Where it was written, for errors. */
  file: string;
  line: number | undefined;
}

const TOP_LEVEL = new Set(['services', 'networks', 'volumes', 'version']);
const UNSUPPORTED_TOP: Record<string, string> = {
  name: 'Sluice names the Compose project after the app and environment; remove `name:`.',
  include: 'Merge files through base/ and overlays/<env>/ instead of include:.',
  secrets: 'Top-level secrets: are not supported yet; pass secrets as SOPS-encrypted env_file: files.',
  configs: 'Top-level configs: are not supported yet; mount a file from the repo with a bind volume.',
};

const SERVICE_KEYS = new Set([
  'image',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'command',
  'entrypoint',
  'depends_on',
  'healthcheck',
  'deploy',
  'restart',
  'networks',
  'labels',
  'working_dir',
  'user',
  'stop_signal',
  'stop_grace_period',
  'x-sluice',
]);
const HEALTHCHECK_KEYS = new Set([
  'test',
  'interval',
  'timeout',
  'retries',
  'start_period',
  'start_interval',
  'disable',
]);
const DURATIONS = new Set(['interval', 'timeout', 'start_period', 'start_interval']);
const NETWORK_KEYS = new Set([
  'driver',
  'driver_opts',
  'external',
  'name',
  'internal',
  'attachable',
  'enable_ipv6',
  'labels',
  'ipam',
]);
const VOLUME_KEYS = new Set(['driver', 'driver_opts', 'external', 'name', 'labels']);
const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

/** Reads one compose file (already interpolated) into long form, failing on what Sluice does not support. */
export function canonicalFile(source: ComposeSource, baseDir: string): FileModel {
  const c = new Canonicalizer(source, baseDir);
  return c.file();
}

class Canonicalizer {
  constructor(
    private readonly source: ComposeSource,
    private readonly baseDir: string,
  ) {}

  fail(path: Path, message: string, hint: string, code = 'COMPOSE_INVALID', atKey = false): never {
    throw new RenderError(code, message, {
      file: this.source.file,
      line: atKey ? this.source.keyLine(path) : this.source.line(path),
      field: path.join('.'),
      hint,
    });
  }

  unsupported(path: Path, hint?: string): never {
    const key = path[path.length - 1];
    this.fail(
      path,
      `${path.join('.')} is not supported by Sluice's compose renderer`,
      hint ?? `Remove ${String(key)}; see docs/compose.md for the keys Sluice supports.`,
      'COMPOSE_UNSUPPORTED',
      true,
    );
  }

  file(): FileModel {
    const top = this.source.value;
    for (const key of Object.keys(top)) {
      if (key.startsWith('x-')) continue;
      if (UNSUPPORTED_TOP[key]) this.unsupported([key], UNSUPPORTED_TOP[key]);
      if (!TOP_LEVEL.has(key)) this.unsupported([key], 'A compose file has services:, networks: and volumes: here.');
    }
    const services: FileModel['services'] = {};
    const raw = top.services;
    if (raw !== undefined && raw !== null) {
      if (!isObject(raw))
        this.fail(
          ['services'],
          'services: must be a mapping of service names',
          'Write services: { <name>: { image: … } }.',
        );
      for (const [name, s] of Object.entries(raw)) {
        if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
          this.fail(
            ['services', name],
            `service name ${JSON.stringify(name)} is invalid`,
            'Use letters, digits, ".", "_" and "-".',
          );
        services[name] = s === RESET ? RESET : this.service(name, s ?? {});
      }
    }
    return {
      services,
      networks: this.definitions('networks', top.networks, NETWORK_KEYS),
      volumes: this.definitions('volumes', top.volumes, VOLUME_KEYS),
    };
  }

  definitions(kind: 'networks' | 'volumes', raw: unknown, keys: Set<string>): Record<string, unknown> {
    if (raw === undefined || raw === null) return {};
    if (!isObject(raw)) this.fail([kind], `${kind}: must be a mapping`, `Write ${kind}: { <name>: {} }.`);
    const out: Record<string, unknown> = {};
    for (const [name, def] of Object.entries(raw)) {
      if (def === RESET || def instanceof Override) {
        out[name] = def;
        continue;
      }
      if (def === null || def === undefined) {
        out[name] = {};
        continue;
      }
      if (!isObject(def))
        this.fail([kind, name], `${kind}.${name} must be a mapping`, 'Leave it empty or give its options.');
      const spec: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(def)) {
        if (k.startsWith('x-')) continue;
        if (!keys.has(k)) this.unsupported([kind, name, k]);
        spec[k] = k === 'labels' ? this.stringMap([kind, name, k], v) : v;
      }
      out[name] = spec;
    }
    return out;
  }

  service(name: string, raw: unknown): FileService {
    const at = ['services', name];
    if (!isObject(raw)) this.fail(at, `service ${name} must be a mapping`, 'Give the service at least image:.');
    const out: FileService = {};
    for (const [key, value] of Object.entries(raw)) {
      const path = [...at, key];
      if (key === 'build')
        this.fail(
          path,
          `service ${name}: build: is not supported, Sluice deploys images only`,
          'Build the image in CI, push it, and set image: (sluice set-image pins it).',
          'COMPOSE_UNSUPPORTED',
          true,
        );
      if (key.startsWith('x-') && key !== 'x-sluice') continue;
      if (!SERVICE_KEYS.has(key)) this.unsupported(path);
      if (value === RESET) {
        out[key] = RESET;
        continue;
      }
      if (value instanceof Override) {
        out[key] = new Override(this.field(key, path, value.value));
        continue;
      }
      out[key] = this.field(key, path, value);
    }
    return out;
  }

  field(key: string, path: Path, v: unknown): unknown {
    switch (key) {
      case 'image':
      case 'restart':
      case 'working_dir':
      case 'user':
      case 'stop_signal': {
        const s = scalarString(v);
        if (s === undefined) this.fail(path, `${path.join('.')} must be a string`, 'Write a plain value.');
        if (key === 'image' && s.trim() === '')
          this.fail(path, 'image: is empty', 'Name the image to run (is a variable unset?).');
        if (key === 'restart' && !RESTART.test(s))
          this.fail(
            path,
            `restart: ${JSON.stringify(s)} is not a restart policy`,
            'Use no, always, on-failure[:N] or unless-stopped.',
          );
        return s;
      }
      case 'stop_grace_period':
        return this.duration(path, v);
      case 'environment':
        return this.environment(path, v);
      case 'labels':
        return this.stringMap(path, v);
      case 'env_file':
        return this.envFiles(path, v);
      case 'ports':
        return this.list(path, v).flatMap((p, i) => this.port([...path, i], p));
      case 'volumes':
        return this.list(path, v).map((m, i) => this.mount([...path, i], m));
      case 'command':
      case 'entrypoint':
        return this.commandLine(path, v);
      case 'depends_on':
        return this.dependsOn(path, v);
      case 'healthcheck':
        return this.healthcheck(path, v);
      case 'deploy':
        return this.deploy(path, v);
      case 'networks':
        return this.networks(path, v);
      case 'x-sluice':
        return this.sluiceExtension(path, v);
      default:
        return this.unsupported(path);
    }
  }

  /** Checks Sluice runs itself; an overlay may set part of them, so each field is optional here. */
  sluiceExtension(path: Path, v: unknown): Record<string, unknown> {
    const example = 'Write x-sluice: { http: { path: /health, port: 8080 } }.';
    if (!isObject(v)) this.fail(path, 'x-sluice must be a mapping', example);
    const http = v.http;
    if (http === undefined || http === RESET || http instanceof Override) return v;
    if (!isObject(http)) this.fail([...path, 'http'], 'x-sluice.http must be a mapping', example);
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(http)) {
      const at = [...path, 'http', k];
      if (k === 'path') {
        if (typeof val !== 'string' || !val.startsWith('/'))
          this.fail(at, 'x-sluice.http.path must start with /', example);
        out.path = val;
      } else if (k === 'port' || k === 'expectStatus') {
        const n = asInteger(val);
        if (n === undefined || n <= 0) this.fail(at, `x-sluice.http.${k} must be a positive number`, example);
        out[k] = n;
      } else this.unsupported(at, 'x-sluice.http has path, port and expectStatus.');
    }
    return { ...v, http: out };
  }

  list(path: Path, v: unknown): unknown[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v))
      this.fail(path, `${path.join('.')} must be a list`, 'Write one entry per line, starting with "- ".');
    return v;
  }

  duration(path: Path, v: unknown): string {
    const ns = parseDuration(v);
    if (ns === undefined)
      this.fail(path, `${JSON.stringify(v)} is not a duration`, 'Write durations like 30s, 1m30s or 500ms.');
    return formatDuration(ns);
  }

  /** `KEY=value` list or mapping; a variable without a value is null. */
  environment(path: Path, v: unknown): Record<string, string | null | typeof RESET> {
    const out: Record<string, string | null | typeof RESET> = {};
    if (v === null || v === undefined) return out;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const s = scalarString(item);
        if (s === undefined)
          this.fail([...path, i], 'an environment entry must be KEY=value', 'Write KEY=value or KEY.');
        const eq = s.indexOf('=');
        if (eq < 0) out[s] = null;
        else out[s.slice(0, eq)] = s.slice(eq + 1);
      });
      return out;
    }
    if (!isObject(v)) this.fail(path, 'environment: must be a mapping or a list', 'Write KEY: value entries.');
    for (const [k, val] of Object.entries(v)) {
      if (val === RESET || val === null || val === undefined) {
        out[k] = val === RESET ? RESET : null;
        continue;
      }
      const s = scalarString(val);
      if (s === undefined) this.fail([...path, k], `environment ${k} must be a scalar`, 'Quote the value.');
      out[k] = s;
    }
    return out;
  }

  stringMap(path: Path, v: unknown): Record<string, string | typeof RESET> {
    const env = this.environment(path, v);
    const out: Record<string, string | typeof RESET> = {};
    for (const [k, val] of Object.entries(env)) out[k] = val === null ? '' : val;
    return out;
  }

  envFiles(path: Path, v: unknown): EnvFileRef[] {
    const items = typeof v === 'string' ? [v] : this.list(path, v);
    return items.map((item, i) => {
      const at = typeof v === 'string' ? path : [...path, i];
      let file: unknown = item;
      let required = true;
      if (isObject(item)) {
        file = item.path;
        if (item.required !== undefined) required = asBoolean(item.required) ?? true;
        for (const k of Object.keys(item)) if (k !== 'path' && k !== 'required') this.unsupported([...at, k]);
      }
      if (typeof file !== 'string' || file === '')
        this.fail(at, 'env_file entry needs a path', 'Write the path of the file, relative to base/.');
      return { path: this.repoPath(at, file), required, file: this.source.file, line: this.source.line(at) };
    });
  }

  /** A path relative to the project (the app's base directory), which must stay in the repo. */
  repoPath(at: Path, p: string): string {
    if (p.startsWith('~'))
      this.fail(at, `${p}: a home directory is not part of the repo`, 'Use a path relative to base/.', 'PATH_ESCAPE');
    const resolved = joinPath(this.baseDir, p);
    if (!isWithin('.', resolved))
      this.fail(
        at,
        `${p} leaves the config repo`,
        'Keep files the app uses inside the repo, relative to base/.',
        'PATH_ESCAPE',
      );
    return resolved;
  }

  port(path: Path, v: unknown): ComposePort[] {
    if (typeof v === 'number') return [{ target: v, protocol: 'tcp', mode: 'ingress' }];
    if (typeof v === 'string') return this.shortPort(path, v);
    if (!isObject(v)) this.fail(path, 'a port must be a string like "8080:80" or a mapping', 'See docs/compose.md.');
    const out: ComposePort = { target: 0, protocol: 'tcp', mode: 'ingress' };
    for (const [k, val] of Object.entries(v)) {
      switch (k) {
        case 'target': {
          const n = asInteger(val);
          if (n === undefined) this.fail([...path, k], 'ports target must be a number', 'Write the container port.');
          out.target = n;
          break;
        }
        case 'published':
          if (val !== null && val !== undefined && val !== '') out.published = String(val);
          break;
        case 'protocol':
          if (val !== 'tcp' && val !== 'udp')
            this.fail([...path, k], `protocol ${String(val)} is not tcp or udp`, 'Use tcp or udp.');
          out.protocol = val;
          break;
        case 'mode':
          if (val !== 'ingress' && val !== 'host')
            this.fail([...path, k], `mode ${String(val)} is not ingress or host`, 'Use ingress or host.');
          out.mode = val;
          break;
        case 'host_ip':
        case 'name':
        case 'app_protocol':
          out[k] = String(val);
          break;
        default:
          this.unsupported([...path, k]);
      }
    }
    if (!out.target) this.fail(path, 'a port needs target:', 'Write the container port as target:.');
    return [out];
  }

  /** `[ip:][published:]target[/protocol]`, with port ranges expanded as compose does. */
  shortPort(path: Path, spec: string): ComposePort[] {
    const bad = (): never =>
      this.fail(
        path,
        `invalid port ${JSON.stringify(spec)}`,
        'Write [host_ip:][published:]target[/tcp|udp], e.g. "8080:80".',
      );
    let rest = spec.trim();
    let protocol: 'tcp' | 'udp' = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      const p = rest.slice(slash + 1);
      if (p !== 'tcp' && p !== 'udp') bad();
      protocol = p as 'tcp' | 'udp';
      rest = rest.slice(0, slash);
    }
    let hostIp: string | undefined;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) {
      hostIp = v6[1];
      rest = v6[2]!;
    }
    const parts = rest.split(':');
    if (parts.length > 3 || (v6 && parts.length > 2)) bad();
    if (parts.length === 3) hostIp = parts.shift();
    const target = parts.pop()!;
    const published = parts.pop();
    const range = (s: string): [number, number] => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(s);
      if (!m) return bad();
      const lo = Number(m[1]);
      const hi = m[2] ? Number(m[2]) : lo;
      if (hi < lo || hi > 65535) bad();
      return [lo, hi];
    };
    const [tLo, tHi] = range(target);
    const pub = published === undefined || published === '' ? undefined : range(published);
    const count = tHi - tLo + 1;
    if (pub && pub[1] - pub[0] + 1 !== count && count !== 1) bad();
    const out: ComposePort[] = [];
    for (let i = 0; i < count; i++) {
      const p: ComposePort = { target: tLo + i, protocol, mode: 'ingress' };
      if (pub)
        p.published = count === 1 ? (pub[0] === pub[1] ? String(pub[0]) : `${pub[0]}-${pub[1]}`) : String(pub[0] + i);
      if (hostIp) p.host_ip = hostIp;
      out.push(p);
    }
    return out;
  }

  mount(path: Path, v: unknown): ComposeVolumeMount {
    if (typeof v === 'string') return this.shortMount(path, v);
    if (!isObject(v))
      this.fail(path, 'a volume must be a string like "data:/var/lib/data" or a mapping', 'See docs/compose.md.');
    const type = v.type;
    if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs')
      this.fail(
        [...path, 'type'],
        `volume type ${JSON.stringify(type)} is not supported`,
        'Use volume, bind or tmpfs.',
      );
    const out: ComposeVolumeMount = { type, target: '' };
    for (const [k, val] of Object.entries(v)) {
      const at = [...path, k];
      switch (k) {
        case 'type':
          break;
        case 'source':
          if (typeof val !== 'string') this.fail(at, 'source must be a string', 'Name the volume or the path.');
          out.source = type === 'bind' ? this.bindSource(at, val) : val;
          break;
        case 'target':
          if (typeof val !== 'string' || !val.startsWith('/'))
            this.fail(at, 'target must be an absolute path', 'Write the path inside the container.');
          out.target = val;
          break;
        case 'read_only':
          out.read_only = asBoolean(val) ?? this.fail(at, 'read_only must be true or false', 'Write true or false.');
          break;
        case 'bind':
        case 'volume':
        case 'tmpfs':
          if (!isObject(val)) this.fail(at, `${k} must be a mapping`, 'Give its options.');
          (out as unknown as Record<string, unknown>)[k] = val;
          break;
        default:
          this.unsupported(at);
      }
    }
    if (!out.target) this.fail(path, 'a volume needs target:', 'Write the path inside the container as target:.');
    return out;
  }

  shortMount(path: Path, spec: string): ComposeVolumeMount {
    const parts = spec.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0]! };
    if (parts.length > 3) this.fail(path, `invalid volume ${JSON.stringify(spec)}`, 'Write source:target[:ro].');
    const [source, target, mode] = parts as [string, string, string | undefined];
    if (!target.startsWith('/'))
      this.fail(path, `volume target ${target} must be an absolute path`, 'Write source:/path/in/container.');
    const options = mode ? mode.split(',') : [];
    const known = new Set(['ro', 'rw', 'z', 'Z']);
    for (const o of options)
      if (!known.has(o)) this.fail(path, `volume option ${o} is not supported`, 'Use ro, rw, z or Z.');
    const isBind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    const out: ComposeVolumeMount = isBind
      ? { type: 'bind', source: this.bindSource(path, source), target }
      : { type: 'volume', source, target };
    if (options.includes('ro')) out.read_only = true;
    if (isBind) {
      out.bind = { create_host_path: true };
      const selinux = options.find((o) => o === 'z' || o === 'Z');
      if (selinux) out.bind.selinux = selinux as 'z' | 'Z';
    }
    return out;
  }

  /** Absolute host paths stay; relative ones become repo paths resolved against base/. */
  bindSource(at: Path, source: string): string {
    return source.startsWith('/') ? source : this.repoPath(at, source);
  }

  commandLine(path: Path, v: unknown): string[] | null {
    if (v === null) return null;
    if (typeof v === 'string') {
      const words = splitShellWords(v);
      if (!words)
        this.fail(
          path,
          `unbalanced quotes in ${JSON.stringify(v)}`,
          'Close the quote, or write the command as a list.',
        );
      return words;
    }
    if (!Array.isArray(v)) this.fail(path, `${path.join('.')} must be a string or a list`, 'Write a list of words.');
    return v.map((w, i) => scalarString(w) ?? this.fail([...path, i], 'each word must be a string', 'Quote the word.'));
  }

  dependsOn(path: Path, v: unknown): Record<string, Partial<ComposeDependsOn> | typeof RESET> {
    const out: Record<string, Partial<ComposeDependsOn> | typeof RESET> = {};
    if (Array.isArray(v)) {
      v.forEach((s, i) => {
        if (typeof s !== 'string')
          this.fail([...path, i], 'depends_on entries must be service names', 'Write the name of a service.');
        out[s] = { condition: 'service_started', required: true };
      });
      return out;
    }
    if (!isObject(v))
      this.fail(path, 'depends_on must be a list or a mapping', 'Write the services this one waits for.');
    for (const [svc, d] of Object.entries(v)) {
      if (d === RESET) {
        out[svc] = RESET;
        continue;
      }
      const entry: Partial<ComposeDependsOn> = {};
      if (d !== null && !isObject(d))
        this.fail([...path, svc], 'a depends_on entry must be a mapping', 'Write condition: service_healthy.');
      for (const [k, val] of Object.entries(d ?? {})) {
        const at = [...path, svc, k];
        if (k === 'condition') {
          if (typeof val !== 'string' || !CONDITIONS.has(val))
            this.fail(
              at,
              `condition ${String(val)} is not known`,
              'Use service_started, service_healthy or service_completed_successfully.',
            );
          entry.condition = val as ComposeDependsOn['condition'];
        } else if (k === 'restart' || k === 'required') {
          entry[k] = asBoolean(val) ?? this.fail(at, `${k} must be true or false`, 'Write true or false.');
        } else this.unsupported(at);
      }
      out[svc] = entry;
    }
    return out;
  }

  healthcheck(path: Path, v: unknown): ComposeHealthcheck {
    if (!isObject(v)) this.fail(path, 'healthcheck must be a mapping', 'Give test: and its timings.');
    const out: ComposeHealthcheck = {};
    for (const [k, val] of Object.entries(v)) {
      const at = [...path, k];
      if (!HEALTHCHECK_KEYS.has(k)) this.unsupported(at);
      if (val === RESET) continue;
      if (k === 'test') {
        if (typeof val === 'string') out.test = ['CMD-SHELL', val];
        else out.test = this.commandLine(at, val) ?? undefined;
      } else if (DURATIONS.has(k)) {
        (out as Record<string, unknown>)[k] = this.duration(at, val);
      } else if (k === 'retries') {
        out.retries =
          asInteger(val) ?? this.fail(at, 'retries must be a number', 'Write how many failures make it unhealthy.');
      } else if (k === 'disable') {
        out.disable = asBoolean(val) ?? this.fail(at, 'disable must be true or false', 'Write true or false.');
      }
    }
    return out;
  }

  deploy(path: Path, v: unknown): { replicas?: number } {
    if (!isObject(v)) this.fail(path, 'deploy must be a mapping', 'Write deploy: { replicas: 2 }.');
    const out: { replicas?: number } = {};
    for (const [k, val] of Object.entries(v)) {
      if (k !== 'replicas') this.unsupported([...path, k], 'Sluice reads deploy.replicas only.');
      const n = asInteger(val);
      if (n === undefined || n < 0)
        this.fail([...path, k], 'replicas must be a whole number', 'Write how many containers to run.');
      out.replicas = n;
    }
    return out;
  }

  networks(path: Path, v: unknown): Record<string, ComposeServiceNetwork | typeof RESET> {
    const out: Record<string, ComposeServiceNetwork | typeof RESET> = {};
    if (Array.isArray(v)) {
      v.forEach((n, i) => {
        if (typeof n !== 'string')
          this.fail([...path, i], 'networks entries must be network names', 'Write a network name.');
        out[n] = {};
      });
      return out;
    }
    if (!isObject(v)) this.fail(path, 'networks must be a list or a mapping', 'Write the networks the service joins.');
    for (const [name, opts] of Object.entries(v)) {
      if (opts === RESET) {
        out[name] = RESET;
        continue;
      }
      if (opts === null || opts === undefined) {
        out[name] = {};
        continue;
      }
      if (!isObject(opts))
        this.fail([...path, name], 'network options must be a mapping', 'Leave it empty or give aliases:.');
      const o: ComposeServiceNetwork = {};
      for (const [k, val] of Object.entries(opts)) {
        const at = [...path, name, k];
        if (k === 'aliases') o.aliases = this.list(at, val).map((a) => String(a));
        else if (k === 'ipv4_address' || k === 'ipv6_address') o[k] = String(val);
        else if (k === 'priority')
          o.priority = asInteger(val) ?? this.fail(at, 'priority must be a number', 'Write a number.');
        else this.unsupported(at);
      }
      out[name] = o;
    }
    return out;
  }
}
