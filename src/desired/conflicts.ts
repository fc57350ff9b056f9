import type { App, Environment, Target } from '../config/index.js';
import { ValidationError } from '../errors/index.js';
import { resourceRef, type RenderedResource } from '../model/resource.js';
import { claimsOn, connectionKey } from '../providers/index.js';

interface HeldClaim {
  key: string;
  description: string;
  shared?: string;
  resource: RenderedResource;
}

/** What one app × environment takes on its target, as its target kind describes it. */
export interface ScopeClaims {
  app: App;
  env: Environment;
  target: Target;
  /** Targets one provider serves share this (the same machine, the same cluster). */
  connection: string;
  claims: HeldClaim[];
}

export function claimsOf(
  scope: { app: App; env: Environment; target: Target },
  rendered: readonly RenderedResource[],
): ScopeClaims {
  return {
    ...scope,
    connection: connectionOf(scope.target),
    claims: rendered.flatMap((resource) => claimsOn(scope.target, resource.object).map((c) => ({ ...c, resource }))),
  };
}

function where(r: RenderedResource): string {
  return r.origin ? `${r.origin.file}${r.origin.line !== undefined ? `:${r.origin.line}` : ''}` : resourceRef(r.object);
}

function who(s: ScopeClaims): string {
  return `app "${s.app.name}" in ${s.env.name}`;
}

/** Why two declarations meant as shared still clash, when one of them is marked shared. */
function sharedHint(a: HeldClaim, b: HeldClaim): string | undefined {
  if (a.shared === undefined && b.shared === undefined) return undefined;
  if (a.shared !== undefined && b.shared !== undefined)
    return `Both are shared but declared differently: make ${where(a.resource)} and ${where(b.resource)} the same. Nothing was applied.`;
  const plain = a.shared === undefined ? a : b;
  return `Only one of them is shared: mark ${where(plain.resource)} shared too, as the other one is, or remove one of them. Nothing was applied.`;
}

/** Where a target is reached: equal for two targets one provider serves. */
export function connectionOf(target: Target): string {
  // The target's name is not part of where it connects: two names for one cluster are one target.
  const { name: _name, ...spec } = target;
  return connectionKey(spec);
}

/**
 * One error per claim this scope shares with another scope on the same target: two Process
 * apps on one port, two apps (or two environments) declaring one object. Each names both
 * apps and both files, since either may be the one to change.
 */
export function conflictsWith(mine: ScopeClaims, others: readonly ScopeClaims[]): ValidationError[] {
  const errors: ValidationError[] = [];
  const reported = new Set<string>();
  // The scope itself first: two resources of one app may not take one port either.
  for (const other of [mine, ...others]) {
    if (other.connection !== mine.connection) continue;
    const self = other === mine;
    const theirs = new Map<string, HeldClaim>();
    for (const c of other.claims) if (!theirs.has(c.key)) theirs.set(c.key, c);
    for (const c of mine.claims) {
      const found = theirs.get(c.key);
      const same = self && found?.resource === c.resource;
      // Declared alike and shared by every declaration: applying either leaves the target the same.
      const alike = found?.shared !== undefined && found.shared === c.shared;
      const clash = same || alike ? undefined : found;
      // A range overlapping another range meets on many keys; one error per pair of resources says it.
      const pair = `${resourceRef(c.resource.object)}|${other.app.name}@${other.env.name}|${resourceRef(clash?.resource.object ?? c.resource.object)}`;
      if (!clash || reported.has(pair)) continue;
      reported.add(pair);
      const sameTarget =
        other.target.name === mine.target.name
          ? `target "${mine.target.name}"`
          : `targets "${mine.target.name}" and "${other.target.name}" (one ${mine.target.provider} target)`;
      errors.push(
        new ValidationError(
          self ? 'CLAIM_CONFLICT' : 'CROSS_APP_CONFLICT',
          `${c.description} (${who(mine)}, ${where(c.resource)}) overlaps ${clash.description} (${who(other)}, ${where(clash.resource)}) on ${sameTarget}`,
          {
            file: c.resource.origin?.file,
            line: c.resource.origin?.line,
            resource: resourceRef(c.resource.object),
            hint:
              sharedHint(c, clash) ??
              `Only one app and environment may hold it on one target: change ${where(c.resource)} or ${where(clash.resource)}. Nothing was applied.`,
          },
        ),
      );
    }
  }
  return errors;
}
