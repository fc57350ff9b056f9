/**
 * The files of a new config repo for the process target: sluice.yaml, a `hello` app with a
 * base and one overlay per environment. Pure: returns path → content; the caller writes and commits.
 */
export interface ProcessProjectOptions {
  project: string;
  /**
   * The sample service's source (an ES module). It is written into the manifests, so the repo
   * runs wherever it is cloned and never points into the Sluice installation. Needed unless
   * `artifact` is given.
   */
  helloSource?: string;
  /** Command that runs it (node's absolute path, so the repo works whatever PATH the controller has). */
  node: string;
  /** First port of the sample app; dev, staging and prod get blocks of ten from here. */
  basePort: number;
  /** The JSON Schema of sluice.yaml, committed beside it for editors (and referred to relatively). */
  schema?: string;
  /**
   * Run the service from a pinned artifact (a copy of the script, checked by sha256) instead of
   * the script in place: `sluice set-image` and `sluice promote` then move versions between
   * environments, and prod verifies the version it serves.
   */
  artifact?: { path: string; sha256: string; version: string };
}

/** Where the schema is committed, next to sluice.yaml. */
export const SCHEMA_FILE = 'sluice.schema.json';

const ENVIRONMENTS = [
  { name: 'dev', replicas: 1, greeting: 'Hello', offset: 10 },
  { name: 'staging', replicas: 2, greeting: 'Hello', offset: 20 },
  { name: 'prod', replicas: 3, greeting: 'Hello', offset: 30 },
] as const;

export function processProjectFiles(o: ProcessProjectOptions): Record<string, string> {
  const files: Record<string, string> = {
    'sluice.yaml': sluiceYaml(o.project, o.schema !== undefined, o.artifact !== undefined),
    'README.md': readme(),
    'apps/hello/base/hello.yaml': processManifest(o, {
      replicas: 1,
      port: o.basePort + 10,
      greeting: 'Hello',
      env: 'base',
    }),
  };
  if (o.schema !== undefined) files[SCHEMA_FILE] = o.schema;
  for (const e of ENVIRONMENTS) {
    files[`apps/hello/overlays/${e.name}/hello.yaml`] = processManifest(o, {
      replicas: e.replicas,
      port: o.basePort + e.offset,
      greeting: e.greeting,
      env: e.name,
    });
  }
  return files;
}

function sluiceYaml(project: string, schema: boolean, verify = false): string {
  // Relative to this file, so the reference holds wherever the repo is cloned.
  return `${schema ? `# yaml-language-server: $schema=./${SCHEMA_FILE}\n` : ''}apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: ${project}
spec:
  targets:
    local:
      provider: process   # supervised processes on the machine running Sluice
  environments:
    - name: dev
      target: local
      sync: auto          # apply every new revision
      selfHeal: true      # undo drift without waiting for a commit
      healthTimeout: 30s
    - name: staging
      target: local
      sync: auto
      selfHeal: true
      healthTimeout: 30s
      promotion: { from: dev, requireHealthy: true }
    - name: prod
      target: local
      sync: auto
      protected: true
      healthTimeout: 60s
      promotion: { from: staging, approvals: 1 }
${verify ? PROD_VERIFY : ''}  apps:
    - name: hello
      path: apps/hello
`;
}

// After each prod sync every replica must answer with the version that was promoted; if not, prod rolls back.
const PROD_VERIFY = `      verify:
        - http: { url: "http://127.0.0.1:\${port}/version", jsonPath: version, equals: "\${artifact.tag}" }
      rollback: { auto: true }
`;

function processManifest(
  o: ProcessProjectOptions,
  v: { replicas: number; port: number; greeting: string; env: string },
): string {
  const a = o.artifact;
  // Node runs the verified copy Sluice cached for this sha256 (SLUICE_ARTIFACT), never the file in place.
  const run = a
    ? `  args: ["--input-type=module", "-e", "await import(process.env.SLUICE_ARTIFACT)"]
  artifact: { path: ${JSON.stringify(a.path)}, sha256: ${a.sha256} }
`
    : `  args:
    - --input-type=module
    - -e
    - |
${inline(o.helloSource ?? missing('helloSource'), '      ')}
`;
  return `${v.env === 'base' ? BASE_COMMENT : `# The hello service in ${v.env}. Edit a value, commit, and Sluice rolls it out.\n`}apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: hello${a ? `\n  annotations:\n    sluice.dev/artifact-tag: ${JSON.stringify(a.version)}` : ''}
spec:
  command: ${JSON.stringify(o.node)}
${run}  replicas: ${v.replicas}
  service:
    port: ${v.port}         # the address to call: Sluice forwards to ready replicas
  port: ${v.port + 1}           # replica ports (two per replica, as they roll) start here
  env:
    GREETING: ${JSON.stringify(v.greeting)}
${a ? '' : '    VERSION: "1.0.0"\n'}  healthCheck:
    http: { path: /healthz }
    intervalSeconds: 1
    timeoutSeconds: 1
    failureThreshold: 3
  terminationGracePeriodSeconds: 5
`;
}

// Sluice renders an environment's overlay directory when it has one, and base/ only when it
// has none; the overlays here are complete manifests, not patches of base.
const BASE_COMMENT = `# The hello service for an environment without its own overlay. Sluice renders
# apps/hello/overlays/<env>/ when that directory exists and this one only when it does not;
# dev, staging and prod each have an overlay, so editing this file changes none of them.
# Edit an overlay to change its environment, or delete one to run this file there instead.
`;

function missing(what: string): never {
  throw new Error(`processProjectFiles needs ${what} when no artifact is given`);
}

/** The script as the lines of a YAML literal block, without its #! line (node -e has no use for it). */
function inline(source: string, indent: string): string {
  return source
    .replace(/^#!.*\n/, '')
    .trimEnd()
    .split('\n')
    .map((l) => (l ? indent + l : ''))
    .join('\n');
}

function readme(): string {
  return `# Config repo

Git is the source of truth for what runs where. Each environment is a directory:

- \`apps/hello/base/\` — the app's reference manifest
- \`apps/hello/overlays/<env>/\` — what runs in dev, staging and prod

Change a file under an overlay, commit, and Sluice applies it to that environment only.
`;
}
