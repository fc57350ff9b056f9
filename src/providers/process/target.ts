import { z } from 'zod';
import type { Resource } from '../../model/resource.js';
import type { ArtifactRef, Claim, TargetKind, ValueEdit, Workload } from '../types.js';
import { readProcessLogs } from './logs.js';
import { portRange } from './ports.js';
import { ProcessProvider } from './provider.js';
import { processProjectFiles } from './scaffold.js';
import { isProcessResource, parseProcess, processIssues } from './spec.js';

/** Annotation on a Process holding the version label of its artifact (file artifacts have no tag of their own). */
export const ARTIFACT_TAG_ANNOTATION = 'sluice.dev/artifact-tag';

const targetSchema = z.strictObject({
  provider: z.literal('process'),
  description: z.string().optional(),
});

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/**
 * Any sluice.dev version, not only the one the provider runs: policy and set-image should
 * still see the artifact of a Process the provider is about to reject for its version.
 */
function isProcess(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.kind === 'Process' && typeof r.apiVersion === 'string' && r.apiVersion.startsWith('sluice.dev/');
}

function workloads(r: Resource): Workload | undefined {
  if (!isProcess(r)) return undefined;
  const spec = obj(r['spec']);
  const artifacts: ArtifactRef[] = [];
  const a = spec?.['artifact'];
  if (typeof a === 'string') artifacts.push({ ref: a, field: 'spec.artifact', type: 'artifact' });
  const ao = obj(a);
  if (ao) {
    const ref = String(ao['url'] ?? ao['path'] ?? ao['image'] ?? ao['name'] ?? 'artifact');
    const sha = typeof ao['sha256'] === 'string' ? (ao['sha256'] as string) : undefined;
    artifacts.push({
      ref,
      field: 'spec.artifact',
      type: typeof ao['image'] === 'string' ? 'image' : 'artifact',
      ...(sha ? { sha256: sha } : {}),
    });
  }
  if (typeof spec?.['image'] === 'string')
    artifacts.push({ ref: spec['image'] as string, field: 'spec.image', type: 'image' });
  const replicas = spec?.['replicas'];
  return {
    containers: [],
    artifacts,
    replicas: [{ count: typeof replicas === 'number' ? replicas : 1, field: 'spec.replicas' }],
  };
}

/**
 * Ports a Process listens on, each a claim of its own so overlapping ranges meet on a key.
 * Every port counts on every address: replicas listen on all of them, and a service on one
 * address still blocks a replica that wants the port everywhere.
 */
function claims(r: Resource): Claim[] {
  if (!isProcessResource(r)) return [];
  let spec;
  try {
    spec = parseProcess(r).spec;
  } catch {
    return []; // validation reports it; an invalid Process claims nothing
  }
  const ref = `Process/${r.metadata.name}`;
  const out: Claim[] = [];
  if (spec.port !== undefined) {
    const ports = portRange(spec.port, spec.replicas);
    const description = `replica ports ${ports[0]}-${ports.at(-1)} of ${ref}`;
    for (const p of ports) out.push({ key: `tcp/${p}`, description });
  }
  if (spec.service)
    out.push({
      key: `tcp/${spec.service.port}`,
      description: `service port ${spec.service.port} on ${spec.service.address} of ${ref}`,
    });
  return out;
}

/** `sluice.dev/v1alpha1 Process` objects run as supervised OS processes on the machine running Sluice. */
export const processTarget: TargetKind<typeof targetSchema> = {
  kind: 'process',
  targetSchema,
  example: {
    target: { provider: 'process' },
    resource: {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'Process',
      metadata: { name: 'hello', annotations: { [ARTIFACT_TAG_ANNOTATION]: '1.0.0' } },
      spec: {
        command: 'node',
        args: ['server.js'],
        replicas: 2,
        port: 7400,
        artifact: { path: '/srv/artifacts/hello-1.0.0.js', sha256: 'a'.repeat(64) },
      },
    },
  },
  // One machine, one set of processes: nothing on the target selects another.
  connectionKey: (target) => target.provider,
  create: (_target, ctx) => new ProcessProvider(ctx),
  accepts: isProcessResource,
  validate: (r) => (isProcessResource(r) ? processIssues(r) : []),
  claims,
  workloads,
  appliedArtifacts(r) {
    if (!isProcess(r)) return [];
    const a = obj(obj(r['spec'])?.['artifact']) as { path?: string; url?: string; sha256?: string } | undefined;
    if (!a || !(a.path || a.url)) return [];
    const tag = r.metadata.annotations?.[ARTIFACT_TAG_ANNOTATION];
    return [
      {
        kind: 'file',
        name: r.metadata.name,
        ref: (a.path ?? a.url)!,
        ...(a.sha256 ? { digest: `sha256:${a.sha256}` } : {}),
        ...(tag ? { tag } : {}),
      },
    ];
  },
  artifactEdits(r, artifact) {
    if (artifact.kind !== 'file' || !isProcess(r) || r.metadata?.name !== artifact.name) return [];
    const sha256 = (artifact.digest ?? '').replace(/^sha256:/, '');
    const where = artifact.ref.startsWith('file://') ? 'url' : 'path';
    const current = obj(obj(r['spec'])?.['artifact']);
    const keys = current ? Object.keys(current) : [];
    // Only an artifact already written as exactly { path|url, sha256 } is edited value by value;
    // any other shape is replaced whole, so no stale field (an old url next to a new path) survives.
    const edits: ValueEdit[] =
      keys.length === 2 && keys.includes(where) && keys.includes('sha256')
        ? [
            { path: ['spec', 'artifact', where], value: artifact.ref },
            { path: ['spec', 'artifact', 'sha256'], value: sha256 },
          ]
        : [{ path: ['spec', 'artifact'], value: { [where]: artifact.ref, sha256 } }];
    const annotation = ['metadata', 'annotations', ARTIFACT_TAG_ANNOTATION];
    if (artifact.tag) edits.push({ path: annotation, value: artifact.tag });
    else if (r.metadata.annotations?.[ARTIFACT_TAG_ANNOTATION] !== undefined)
      edits.push({ path: annotation, remove: true });
    return edits;
  },
  endpoints(live) {
    const out: { port: number }[] = [];
    for (const r of live) {
      if (!isProcess(r.object)) continue;
      const replicas = (obj(r.object['status'])?.['replicas'] ?? []) as { port?: unknown }[];
      if (!Array.isArray(replicas)) continue;
      for (const rep of replicas) if (typeof rep?.port === 'number') out.push({ port: rep.port });
    }
    return out;
  },
  async *readLogs(dataDir, scope, options) {
    const only = options.workload !== undefined ? { process: options.workload } : {};
    for await (const line of readProcessLogs(dataDir, scope, {
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...only,
      ...(options.follow ? { follow: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      yield { stream: `${line.process}-${line.replica}`, text: line.text };
    }
  },
  followsLogs: true,
  scaffold(request) {
    const sample = request.sample();
    return processProjectFiles({
      project: request.project,
      helloSource: sample.source,
      node: sample.node,
      basePort: request.basePort,
      ...(request.schema !== undefined ? { schema: request.schema } : {}),
    });
  },
};
