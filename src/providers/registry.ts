import { z } from 'zod';
import type { Resource } from '../model/resource.js';
import type { LiveResource } from '../plan/types.js';
import { dockerTarget } from './docker/target.js';
import { kubernetesTarget } from './kubernetes/target.js';
import { processTarget } from './process/target.js';
import type {
  AppliedArtifact,
  Claim,
  Endpoint,
  Provider,
  ProviderContext,
  ResourceIssue,
  TargetKind,
  ValueEdit,
  Workload,
} from './types.js';

/**
 * Every kind of target Sluice can run on, one module each. Adding a kind is adding its
 * folder and one entry here; config, policy, set-image, verification, logs and `sluice init`
 * find it through the helpers below.
 */
export const targetKinds = [processTarget, kubernetesTarget, dockerTarget] as const;

type SchemasOf<T extends readonly unknown[]> = {
  -readonly [I in keyof T]: T[I] extends { targetSchema: infer S } ? S : never;
};

/** The target fields of every kind, discriminated by `provider`: what `spec.targets` holds. */
export const targetSchema = z.discriminatedUnion(
  'provider',
  targetKinds.map((k) => k.targetSchema) as SchemasOf<typeof targetKinds>,
);

export type TargetSpec = z.output<typeof targetSchema>;
/** A target from sluice.yaml with its name. */
export type Target = TargetSpec & { name: string };

// Kinds differ in their target type; past the schema a target is only known by its provider field.
type AnyTargetKind = TargetKind<TargetKind['targetSchema']>;
const byName = new Map<string, AnyTargetKind>(targetKinds.map((k) => [k.kind, k as unknown as AnyTargetKind]));

export function targetKindNames(): string[] {
  return [...byName.keys()];
}

export function targetKind(name: string): AnyTargetKind | undefined {
  return byName.get(name);
}

function kindOf(target: Pick<TargetSpec, 'provider'>): AnyTargetKind {
  const kind = byName.get(target.provider);
  // The project schema admits only registered kinds, so this is a caller passing an unparsed target.
  if (!kind) throw new Error(`no target kind "${target.provider}" is registered`);
  return kind;
}

/** The provider for a target from sluice.yaml. */
export function createProvider(target: Target, ctx: ProviderContext): Provider {
  return kindOf(target).create(target, ctx);
}

/** Equal for two targets that one provider can serve; a description or the target's name does not count. */
export function connectionKey(target: TargetSpec): string {
  return `${target.provider}:${kindOf(target).connectionKey(target)}`;
}

/** Whether a target of this kind runs the resource. */
export function targetAccepts(target: Pick<TargetSpec, 'provider'>, resource: Resource): boolean {
  return kindOf(target).accepts(resource);
}

/** What a target of this kind would refuse in the resource, found without connecting. */
export function validateForTarget(target: Pick<TargetSpec, 'provider'>, resource: Resource): ResourceIssue[] {
  return kindOf(target).validate(resource);
}

/**
 * The check of `validateForTarget` against the schema the target serves, read from it now;
 * undefined for kinds that have none to read.
 */
export async function servedValidation(
  target: TargetSpec,
  dataDir: string,
): Promise<{ validate(resource: Resource): ResourceIssue[]; source: string } | undefined> {
  return kindOf(target).servedValidation?.(target, dataDir);
}

/** What the resource takes on the target (ports, objects by name); empty for kinds that claim nothing. */
export function claimsOn(target: TargetSpec, resource: Resource): Claim[] {
  return kindOf(target).claims?.(resource, target) ?? [];
}

/** How a resource's workloads appear to policy, whichever kind runs it. */
export function workloadsOf(resource: Resource): Workload[] {
  return targetKinds.flatMap((k) => k.workloads(resource) ?? []);
}

export function appliedArtifactsOf(resource: Resource): AppliedArtifact[] {
  return targetKinds.flatMap((k) => k.appliedArtifacts(resource));
}

export function artifactEditsOf(resource: Resource, artifact: AppliedArtifact): ValueEdit[] {
  return targetKinds.flatMap((k) => k.artifactEdits(resource, artifact));
}

export function endpointsOf(live: readonly LiveResource[]): Endpoint[] {
  return targetKinds.flatMap((k) => k.endpoints(live));
}

/** The kinds `sluice init` can write a config repo for. */
export function scaffoldKinds(): string[] {
  return targetKinds.filter((k) => k.scaffold !== undefined).map((k) => k.kind);
}
