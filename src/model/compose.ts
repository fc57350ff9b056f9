import type { Resource } from './resource.js';

/**
 * What the compose renderer emits and the docker target runs: one resource per compose
 * object, so plan, diff, policy and set-image work per service. The spec of each resource is
 * the object after merge and interpolation, in the canonical long form `docker compose
 * config` prints (as JSON values). The contract between the two: add to it, never rename.
 */

export const COMPOSE_API_VERSION = 'compose.sluice.dev/v1';

export const COMPOSE_KINDS = ['Service', 'Network', 'Volume', 'Secret', 'Config'] as const;
export type ComposeKind = (typeof COMPOSE_KINDS)[number];

/** A port published by a service, long syntax. */
export interface ComposePort {
  /** Container port. */
  target: number;
  /** Host port or range, as a string (`"8080"`, `"8080-8081"`); absent when none is published. */
  published?: string;
  protocol: 'tcp' | 'udp';
  host_ip?: string;
  mode?: 'ingress' | 'host';
  /** Optional name of the port (compose-spec `name`). */
  name?: string;
  app_protocol?: string;
}

/** A mount into a service's containers, long syntax. */
export interface ComposeVolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /**
   * Named volume for `volume` (absent for an anonymous volume). For `bind`: an absolute host
   * path as written (leading `/`), or, for a path the compose file wrote relative, the path
   * inside the config repo it resolves to against the app's base directory (no leading `/`,
   * e.g. `apps/web/base/conf`); such a path never leaves the repo.
   */
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean; propagation?: string; selinux?: 'z' | 'Z' };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

export type ComposeDependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeDependsOn {
  condition: ComposeDependsOnCondition;
  restart?: boolean;
  required: boolean;
}

/** Durations are strings as compose prints them: `30s`, `1m30s`, `500ms`. */
export interface ComposeHealthcheck {
  /** `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

/** A service's attachment to a network; `{}` when it has no options. */
export interface ComposeServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  priority?: number;
}

/** Health checks Sluice runs itself, next to (or instead of) the container's healthcheck. */
export interface SluiceServiceExtension {
  http?: { path: string; port: number; expectStatus?: number };
  [key: string]: unknown;
}

/** A service after merge and interpolation; keys are sorted. */
export interface ComposeServiceSpec {
  image: string;
  /**
   * Variables, `env_file:` files folded in. `null` for a variable named without a value that
   * no `.env` of the app sets (compose would take it from the shell; Sluice leaves it unset).
   */
  environment?: Record<string, string | null>;
  ports?: ComposePort[];
  volumes?: ComposeVolumeMount[];
  command?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, ComposeDependsOn>;
  healthcheck?: ComposeHealthcheck;
  deploy?: { replicas?: number };
  restart?: string;
  /** Absent: the service joins the project's default network, as in compose. */
  networks?: Record<string, ComposeServiceNetwork>;
  labels?: Record<string, string>;
  working_dir?: string;
  user?: string;
  stop_signal?: string;
  /** Duration as compose prints it. */
  stop_grace_period?: string;
  'x-sluice'?: SluiceServiceExtension;
}

export interface ComposeNetworkSpec {
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  name?: string;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
  ipam?: Record<string, unknown>;
}

export interface ComposeVolumeSpec {
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  name?: string;
  labels?: Record<string, string>;
}

/** Top-level `secrets:` / `configs:` entry; only file-based ones are supported. */
export interface ComposeFileObjectSpec {
  /** Repo-relative path of the file holding the content. */
  file: string;
  name?: string;
}

interface ComposeResourceBase<K extends ComposeKind, S> {
  apiVersion: typeof COMPOSE_API_VERSION;
  kind: K;
  metadata: { name: string };
  spec: S;
}

export type ComposeServiceResource = ComposeResourceBase<'Service', ComposeServiceSpec>;
export type ComposeNetworkResource = ComposeResourceBase<'Network', ComposeNetworkSpec>;
export type ComposeVolumeResource = ComposeResourceBase<'Volume', ComposeVolumeSpec>;
export type ComposeSecretResource = ComposeResourceBase<'Secret', ComposeFileObjectSpec>;
export type ComposeConfigResource = ComposeResourceBase<'Config', ComposeFileObjectSpec>;

export type ComposeResource =
  | ComposeServiceResource
  | ComposeNetworkResource
  | ComposeVolumeResource
  | ComposeSecretResource
  | ComposeConfigResource;

export function isComposeResource(o: { apiVersion?: unknown; kind?: unknown }): o is ComposeResource {
  return o.apiVersion === COMPOSE_API_VERSION && (COMPOSE_KINDS as readonly unknown[]).includes(o.kind);
}

/** Whether a resource is a compose object (Secret and Config too, so a target can refuse them with a reason). */
export function isComposeObject(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return isComposeResource(r);
}

export function isComposeService(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === COMPOSE_API_VERSION && r.kind === 'Service';
}
