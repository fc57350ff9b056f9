import type { z } from 'zod';
import type { Resource } from '../model/resource.js';
import type { LiveResource, LiveWorkload, Plan, ResourceHealth } from '../plan/types.js';

export type { LiveWorkload } from '../plan/types.js';

/** One app in one environment of one project: the unit a provider applies and reports on. */
export interface Scope {
  project: string;
  app: string;
  env: string;
}

export interface PlanOptions {
  /** Include deletions of resources Sluice applied earlier that are no longer desired. */
  prune: boolean;
  /** What other scopes on the same target still declare: pruning never deletes it. */
  declaredElsewhere?: DeclaredElsewhere;
}

/**
 * The claims (`TargetKind.claims` keys) other apps and environments on one target hold at the
 * revision in force. `complete` is false when some scope's declarations are unknown (its render
 * fails): a provider then also keeps what only such a scope might declare (shared objects).
 */
export interface DeclaredElsewhere {
  /** Whether another scope declares the object with this claim key. */
  keys: { has(key: string): boolean };
  complete: boolean;
}

export interface ApplyOptions extends PlanOptions {
  /** Config repo revision being applied; stamped on everything the provider creates. */
  revision: string;
  /** Why this apply happens ("new revision abc123", "drift: replica 1 exited"); kept with workloads. */
  reason: string;
  /** Ask the target what would change without changing anything (server-side dry run where there is one). */
  dryRun?: boolean;
  /** Take ownership of fields another writer holds (Kubernetes server-side apply conflicts); only where the environment allows it. */
  force?: boolean;
  signal?: AbortSignal;
  /** Human-readable progress ("starting replica 2/3"). */
  onProgress?: (message: string) => void;
}

/**
 * Something that happened on a target without Sluice asking: a replica exited, was restarted,
 * an object was edited by someone else. `drift` events make the reconciler re-plan the scope
 * (and heal it when the environment has selfHeal).
 */
export interface ProviderEvent {
  scope: Scope;
  type: 'drift' | 'exited' | 'restarted' | 'unhealthy' | 'healthy' | 'adopted' | 'replaced';
  /** resourceKey() of the resource concerned, when there is one. */
  key?: string;
  /** What happened, for people: "replica hello-1 (pid 4242) was killed by SIGKILL". */
  message: string;
  time: Date;
}

/**
 * A target behind one narrow interface. A provider is the only part that knows a target;
 * the reconciler moves resources through plan → apply → health without knowing how.
 */
export interface Provider {
  /** The target kind it was created by: the `provider:` of the target in sluice.yaml. */
  readonly kind: string;
  /** Whether this provider can apply the resource (by apiVersion/kind). */
  accepts(resource: Resource): boolean;
  /**
   * Checks a resource's fields before anything is applied (unknown fields, wrong types).
   * Paths let the caller point at the file and line the field came from.
   */
  validate?(resource: Resource): ResourceIssue[];
  /** Starts supervising/adopting what already runs. Called once before anything else. */
  start(): Promise<void>;
  /** What Sluice applied earlier in this scope, as the target reports it now. */
  live(scope: Scope): Promise<LiveResource[]>;
  /** Desired vs live. Changes nothing on the target. */
  plan(scope: Scope, desired: Resource[], options: PlanOptions): Promise<Plan>;
  /**
   * Makes live match desired and returns the plan that was carried out. Returns once the
   * changes are made; health is awaited separately through health(). Rolls replacements so
   * an unhealthy new version never takes the old one down.
   */
  apply(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan>;
  /** Health of every resource in scope (desired and live). */
  health(scope: Scope): Promise<ResourceHealth[]>;
  /**
   * A stamp of everything `plan` and `health` read for any scope: while it stays the same, a
   * scope's plan and health are what they were, and the controller's periodic passes skip
   * them. Optional: a kind that reads its target afresh every time (processes, containers)
   * leaves it out. Rejects when the target does not answer.
   */
  liveStamp?(): Promise<string>;
  /** Every scope that has live resources, including ones Git no longer mentions. */
  scopes(): Promise<Scope[]>;
  /** Removes everything Sluice applied in the scope, but what other scopes still declare. */
  destroy(scope: Scope, options?: { declaredElsewhere?: DeclaredElsewhere }): Promise<void>;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: ProviderEvent) => void): () => void;
  /**
   * What runs in the scope now, one entry per container (or replica, or pod), for people to
   * look at. Optional: a kind that cannot tell this cheaply leaves it out.
   */
  workloads?(scope: Scope): Promise<LiveWorkload[]>;
  /**
   * Whether what the provider was created from changed under the same target settings (a
   * credentials file edited in place) so that it must be replaced. Absent: never.
   */
  outdated?(): boolean;
  /** Stops watching. With `stopWorkloads`, also stops what it runs (the process provider on Ctrl-C). */
  close(options?: { stopWorkloads?: boolean }): Promise<void>;
}

export interface ResourceIssue {
  /** Path of the offending field inside the resource, e.g. `['spec', 'replicas']`. */
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** What every provider gets from the controller that creates it. */
export interface ProviderContext {
  /** Sluice's data directory; a provider keeps its own state below `<dataDir>/<kind>/`. */
  dataDir: string;
  log: ProviderLog;
  /**
   * Replaces every decrypted secret value in a text with its fingerprint. A provider passes
   * what it shows or keeps (plans, diffs, state files) through it before the text exists, so
   * a secret in a command or an argument is never written down in plaintext.
   */
  secrets?: SecretMasker;
  /**
   * Reads a file a target names (a TLS key, a CA), SOPS-decrypted in memory when it is
   * encrypted, its values known to the masker. Without it, files are read as they are.
   */
  readFile?: (path: string) => Promise<Uint8Array>;
}

/** The part of Sluice's secret registry a provider uses. */
export interface SecretMasker {
  /** Every known secret value in `text`, however escaped, replaced by its fingerprint. */
  mask(text: string): string;
  /** Learns a value as secret (one recorded by an earlier run, found again in sealed state). */
  add?(value: string): void;
  /** The fingerprint `mask` shows for a value. */
  fingerprint?(value: string): string;
}

/** The slice of a pino logger a provider needs, so providers don't depend on a logging library. */
export interface ProviderLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export function scopeId(scope: Scope): string {
  return `${scope.project}/${scope.env}/${scope.app}`;
}

/**
 * The zod object of a target kind's fields in sluice.yaml. `provider` is the discriminator the
 * project schema composes the kinds by; `description` is free text every target may carry.
 */
export type TargetSchema = z.ZodObject<
  { provider: z.ZodLiteral<string>; description: z.ZodOptional<z.ZodString> } & z.core.$ZodLooseShape,
  z.core.$strict
>;

/**
 * Everything Sluice knows about one kind of target, in one module registered in
 * `registry.ts`. Nothing outside `providers/<kind>/` decides on a kind: config composes
 * the schemas, policy and set-image read workloads, verification reads endpoints, the
 * server reads logs and `sluice init` scaffolds — each through this contract.
 */
export interface TargetKind<S extends TargetSchema = TargetSchema> {
  /** The `provider:` value in sluice.yaml. */
  readonly kind: z.output<S>['provider'];
  /** The target's fields in sluice.yaml; strict, so a misspelt field is an error with its line. */
  readonly targetSchema: S;
  /** A minimal target and a resource this kind runs, for the contract test and docs. */
  readonly example: { target: z.input<S>; resource: Resource };
  /**
   * What identifies the provider a target needs: two targets with the same key can share one
   * provider, a changed key needs a new one. A description is not part of it.
   */
  connectionKey(target: z.output<S>): string;
  create(target: z.output<S> & { name: string }, ctx: ProviderContext): Provider;
  /** Whether targets of this kind run the resource (by apiVersion/kind); needs no connection. */
  accepts(resource: Resource): boolean;
  /**
   * Problems with a resource's fields that the target would refuse (unknown fields, wrong
   * types, out-of-range values), found before anything is applied and without a connection.
   */
  validate(resource: Resource): ResourceIssue[];
  /**
   * What the resource takes on the target that no other app or environment on the same
   * target may take too (a port, an object by name). Two claims with one key on one target
   * are a conflict; the description names the claim for people ("service port 8080").
   */
  claims?(resource: Resource, target: z.output<S>): Claim[];
  /** How a resource of this kind appears to policy; undefined for resources it does not run. */
  workloads(resource: Resource): Workload | undefined;
  /** What a resource runs, as recorded in the ledger after a sync. */
  appliedArtifacts(resource: Resource): AppliedArtifact[];
  /**
   * How `sluice set-image` and promotion write an artifact into a manifest: value edits on the
   * resource as written, applied by the caller so comments and formatting survive. Empty when
   * the resource does not run the artifact.
   */
  artifactEdits(resource: Resource, artifact: AppliedArtifact): ValueEdit[];
  /** Where live resources answer, for `${port}` in verification URLs. */
  endpoints(live: readonly LiveResource[]): Endpoint[];
  /** Logs the target keeps of a scope, when it keeps any Sluice can read. */
  readLogs?(
    dataDir: string,
    scope: Scope,
    options: TargetLogOptions,
    target: z.output<S>,
  ): AsyncIterable<TargetLogLine>;
  /**
   * `sluice validate --schema-from-cluster`: a check like `validate` against the schema the
   * target itself serves (a cluster's OpenAPI, its custom resources included), read once.
   * `dataDir` is where the kind may keep what it read, per its own key.
   */
  servedValidation?(
    target: z.output<S>,
    dataDir: string,
  ): Promise<{ validate(resource: Resource): ResourceIssue[]; source: string }>;
  /** Whether readLogs keeps reading with `follow` (otherwise it ends after what is there). */
  followsLogs?: boolean;
  /** Files of a new config repo running a sample app on this kind of target (`sluice init`). */
  scaffold?(request: ScaffoldRequest): Record<string, string>;
}

/** Something a resource takes on its target; see `TargetKind.claims`. */
export interface Claim {
  /** Equal for two claims that cannot both hold on one target, e.g. `tcp/8080`. */
  key: string;
  /**
   * Set when the resource is declared as shared (Kubernetes: `sluice.dev/shared: "true"`): a
   * fingerprint of the declaration. Claims with one key do not conflict when every one of them
   * is shared with the same fingerprint, since applying either leaves the target the same.
   */
  shared?: string;
  /** For people: "replica ports 8080-8083 of Process/web". */
  description: string;
}

/** Where the things a resource runs live, so policy rules work on these and not on kinds. */
export interface Workload {
  containers: ContainerRef[];
  artifacts: ArtifactRef[];
  /** Desired replica counts and their paths. */
  replicas: { count: number; field: string }[];
}

export interface ContainerRef {
  name: string;
  /** The container object (Kubernetes) or service object (Compose). */
  spec: Record<string, unknown>;
  /** Dotted path of the container, for messages. */
  field: string;
  kind: 'container' | 'initContainer' | 'service';
}

export interface ArtifactRef {
  /** What is shown in messages: an image, or an artifact URL/path. */
  ref: string;
  field: string;
  type: 'image' | 'artifact';
  /** For artifacts: the sha256 the resource pins, if any. */
  sha256?: string;
}

/** An image by digest or a file by sha256, as the ledger records it (`ArtifactRecord`). */
export interface AppliedArtifact {
  kind: 'image' | 'file';
  /** What the overlay calls it: the image name, the service, the resource name. */
  name: string;
  /** Image reference without tag and digest, or the file path / file:// URL. */
  ref: string;
  digest?: string;
  tag?: string;
}

/**
 * One change to a manifest: a scalar set in place, a value (a map) replacing what is there,
 * or a field removed. Paths start at the document root.
 */
export type ValueEdit =
  { path: (string | number)[]; value: string | Record<string, unknown> } | { path: (string | number)[]; remove: true };

export interface Endpoint {
  port: number;
}

export interface TargetLogOptions {
  /** Last N lines of each stream; all of it when absent. */
  tail?: number;
  /** Only this workload (a Process name, a Deployment's name). */
  workload?: string;
  /** Only this container of each workload, where workloads have several. */
  container?: string;
  /** Only lines logged in the last N seconds, where the target can tell. */
  sinceSeconds?: number;
  /**
   * Keep reading: lines as they are written, from replicas that appear meanwhile too, until
   * `signal` aborts or the reader stops asking. Kinds that cannot follow end after what is there.
   */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface TargetLogLine {
  /** The stream a line belongs to, e.g. one replica's log. */
  stream: string;
  text: string;
}

/** What `sluice init` knows when it asks a target kind for a config repo. */
export interface ScaffoldRequest {
  project: string;
  /** The JSON Schema of sluice.yaml, committed beside it so editors find it wherever the repo is cloned. */
  schema?: string;
  /** `--context`: which cluster or host of the target, where the kind has several. */
  context?: string;
  /** First port the sample app may listen on. */
  basePort: number;
  /** The sample service Sluice ships, for targets that run it as it is; looked up only when asked, as it may be missing. */
  sample(): { source: string; node: string };
}
