import { acceptsCompose, composeClaims, composeIssues } from './validate.js';
import { z } from 'zod';
import { splitImage } from '../../model/image-ref.js';
import type { Resource } from '../../model/resource.js';
import type { TargetKind, Workload } from '../types.js';
import { DEFAULT_HOST } from './connection.js';
import { readDockerLogs } from './logs.js';
import { COMPOSE_API_VERSION, isComposeService } from '../../model/compose.js';
import { DockerProvider } from './provider.js';
import { dockerProjectFiles } from './scaffold.js';

const targetSchema = z.strictObject({
  provider: z.literal('docker'),
  description: z.string().optional(),
  host: z
    .string()
    .regex(
      /^(unix|tcp|ssh):\/\/.+/,
      'host must be unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port]',
    )
    .default(DEFAULT_HOST)
    .describe(
      'Docker Engine address: unix:///var/run/docker.sock (default), tcp://host:2376 (with tls) or ssh://user@host (through the system ssh)',
    ),
  tls: z
    .strictObject({
      ca: z.string().describe('Path to the CA certificate (PEM) the Engine presents'),
      cert: z.string().describe('Path to the client certificate (PEM)'),
      key: z.string().describe('Path to the client key (PEM)'),
    })
    .optional()
    .describe('Client TLS for a tcp:// host; each file plain PEM or SOPS-encrypted'),
  sshConfig: z
    .string()
    .optional()
    .describe('ssh_config file for an ssh:// host (ssh -F); the user ssh config otherwise'),
  pruneVolumes: z
    .boolean()
    .default(false)
    .describe('Remove named volumes no longer in Git when pruning; off by default, as volumes hold data'),
  readyTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .default(120)
    .describe('How long a new container may take to become healthy before it is removed and the old one kept'),
});

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

function workloads(r: Resource): Workload | undefined {
  if (!isComposeService(r)) return undefined;
  const spec = obj(r['spec']) ?? {};
  const replicas = obj(spec['deploy'])?.['replicas'];
  return {
    containers: [{ name: r.metadata.name, spec, field: 'spec', kind: 'service' }],
    artifacts:
      typeof spec['image'] === 'string' ? [{ ref: spec['image'] as string, field: 'spec.image', type: 'image' }] : [],
    replicas: [{ count: typeof replicas === 'number' ? replicas : 1, field: 'spec.deploy.replicas' }],
  };
}

/** Compose services (`compose.sluice.dev/v1`) run as containers of a Compose project on a Docker Engine. */
export const dockerTarget: TargetKind<typeof targetSchema> = {
  kind: 'docker',
  targetSchema,
  example: {
    target: { provider: 'docker' },
    resource: {
      apiVersion: COMPOSE_API_VERSION,
      kind: 'Service',
      metadata: { name: 'web' },
      spec: {
        image: 'registry.example.com/shop/web:1.0.0',
        ports: [{ target: 8080, published: '8080', protocol: 'tcp' }],
        deploy: { replicas: 2 },
      },
    },
  },
  // TLS files and the address select an Engine; the rest are per-target policies of one connection.
  connectionKey: (t) =>
    JSON.stringify([t.host, t.tls ?? null, t.sshConfig ?? null, t.pruneVolumes, t.readyTimeoutSeconds]),
  create: (t, ctx) =>
    new DockerProvider(ctx, {
      host: t.host,
      ...(t.tls ? { tls: t.tls } : {}),
      ...(t.sshConfig ? { sshConfig: t.sshConfig } : {}),
      ...(ctx.readFile ? { readFile: ctx.readFile } : {}),
      pruneVolumes: t.pruneVolumes,
      readyTimeoutMs: t.readyTimeoutSeconds * 1000,
    }),
  accepts: acceptsCompose,
  validate: composeIssues,
  claims: composeClaims,
  workloads,
  appliedArtifacts(r) {
    if (!isComposeService(r)) return [];
    const image = obj(r['spec'])?.['image'];
    if (typeof image !== 'string') return [];
    const { name, tag, digest } = splitImage(image);
    return [{ kind: 'image', name, ref: name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }];
  },
  artifactEdits(r, artifact) {
    if (artifact.kind !== 'image' || !isComposeService(r)) return [];
    const image = obj(r['spec'])?.['image'];
    if (typeof image !== 'string') return [];
    const current = splitImage(image).name;
    if (current !== artifact.name && current !== artifact.ref) return [];
    const value = `${current}${artifact.tag ? `:${artifact.tag}` : ''}${artifact.digest ? `@${artifact.digest}` : ''}`;
    return [{ path: ['spec', 'image'], value }];
  },
  endpoints(live) {
    const out: { port: number }[] = [];
    for (const r of live) {
      if (!isComposeService(r.object)) continue;
      const containers = (obj(r.object['status'])?.['containers'] ?? []) as { ports?: { published?: unknown }[] }[];
      for (const c of Array.isArray(containers) ? containers : [])
        for (const p of c.ports ?? []) if (typeof p.published === 'number') out.push({ port: p.published });
    }
    return out;
  },
  readLogs: readDockerLogs,
  scaffold: dockerProjectFiles,
};
