import type { Resource } from '../../model/resource.js';

/**
 * What the `compose` renderer emits and this provider runs: one resource per Compose object,
 * the service spec already merged, interpolated and in the canonical long form. Kept here
 * (not imported from the renderer) because providers sit below renderers in the layers.
 */
export const COMPOSE_API_VERSION = 'compose.sluice.dev/v1';

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposePort {
  target: number;
  published: string;
  protocol: 'tcp' | 'udp';
  host_ip?: string;
  mode?: string;
}

export interface ComposeVolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
}

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

/** Sluice's own checks of a service, for images without a Docker healthcheck. */
export interface SluiceServiceExtension {
  http?: { path: string; port: number };
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
  networks?: Record<string, Record<string, unknown>>;
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

export function isComposeObject(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === COMPOSE_API_VERSION && (r.kind === 'Service' || r.kind === 'Network' || r.kind === 'Volume');
}

export function isComposeService(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.apiVersion === COMPOSE_API_VERSION && r.kind === 'Service';
}
