import type { Resource } from '../../model/resource.js';

/**
 * What the `compose` renderer emits and this provider runs: one resource per Compose object,
 * the service spec already merged, interpolated and in the canonical long form. The same shapes
 * as src/render/compose/model.ts, restated here because providers sit below renderers in the
 * layers; keep the two in step.
 */
export const COMPOSE_API_VERSION = 'compose.sluice.dev/v1';

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposePort {
  target: number;
  /** Host port; absent when none is published. Ranges are refused by this target. */
  published?: string;
  protocol: 'tcp' | 'udp';
  host_ip?: string;
  mode?: string;
  name?: string;
  app_protocol?: string;
}

export interface ComposeVolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Named volume; for a bind, an absolute host path, or (no leading `/`) a path inside the config repo. */
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean; propagation?: string; selinux?: 'z' | 'Z' };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

export interface ComposeHealthcheck {
  test?: string[];
  start_interval?: string;
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

/** Sluice's own checks of a service, for images without a Docker healthcheck. */
export interface SluiceServiceExtension {
  http?: { path: string; port: number; expectStatus?: number };
}

export interface ComposeServiceSpec {
  image: string;
  environment?: Record<string, string | null>;
  ports?: ComposePort[];
  volumes?: ComposeVolumeMount[];
  command?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, { condition: DependsOnCondition; restart?: boolean; required: boolean }>;
  healthcheck?: ComposeHealthcheck;
  deploy?: { replicas?: number };
  restart?: string;
  networks?: Record<string, { aliases?: string[]; ipv4_address?: string; ipv6_address?: string; priority?: number }>;
  labels?: Record<string, string>;
  'x-sluice'?: SluiceServiceExtension;
  [key: string]: unknown;
}

export interface ComposeService extends Resource {
  kind: 'Service';
  spec: ComposeServiceSpec;
}

export interface ComposeNetwork extends Resource {
  kind: 'Network';
  spec: Record<string, unknown>;
}

export interface ComposeVolume extends Resource {
  kind: 'Volume';
  spec: Record<string, unknown>;
}

export type ComposeObject = ComposeService | ComposeNetwork | ComposeVolume;

/** Every kind the renderer emits; Secret and Config are accepted so they can be refused with a reason. */
const KINDS = new Set(['Service', 'Network', 'Volume', 'Secret', 'Config']);

export function isComposeObject(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === COMPOSE_API_VERSION && KINDS.has(r.kind);
}

export function isComposeService(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === COMPOSE_API_VERSION && r.kind === 'Service';
}
