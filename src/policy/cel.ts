import { Environment } from '@marcbachmann/cel-js';
import type { CustomPolicyRuleSpec } from '../config/schema.js';
import type { Resource } from '../model/resource.js';
import type { Finding } from './types.js';

/**
 * Custom rules are CEL expressions that must hold for every matching resource, the convention
 * of Kubernetes ValidatingAdmissionPolicy: `object` is the resource, `environment` the
 * environment name. An expression that cannot be evaluated counts as a violation, so a rule
 * that is wrong blocks instead of passing silently.
 */
type Program = (ctx: Record<string, unknown>) => unknown;

const celEnv = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: true })
  .registerVariable('object', 'map')
  .registerVariable('environment', 'string');

const compiled = new Map<string, Program | Error>();

function compile(expression: string): Program | Error {
  let p = compiled.get(expression);
  if (!p) {
    try {
      p = celEnv.parse(expression) as unknown as Program;
    } catch (e) {
      p = e instanceof Error ? e : new Error(String(e));
    }
    compiled.set(expression, p);
  }
  return p;
}

/** A compile error for the rule, or undefined if it parses. */
export function compileError(rule: Pick<CustomPolicyRuleSpec, 'expression'>): string | undefined {
  const p = compile(rule.expression);
  return p instanceof Error ? firstLine(p.message) : undefined;
}

export function matches(rule: CustomPolicyRuleSpec, r: Resource): boolean {
  const m = rule.match;
  if (m?.kinds && !m.kinds.includes(r.kind)) return false;
  if (m?.apiVersions && !m.apiVersions.includes(r.apiVersion)) return false;
  return true;
}

export function checkCustom(rule: CustomPolicyRuleSpec, r: Resource, environment: string): Finding[] {
  const p = compile(rule.expression);
  if (p instanceof Error) return [];
  const hint = rule.hint ?? `The rule "${rule.name}" in sluice.yaml requires: ${rule.expression}`;
  let result: unknown;
  try {
    result = p({ object: toCel(r), environment });
  } catch (e) {
    return [
      { message: `${rule.message} (the expression could not be evaluated: ${firstLine((e as Error).message)})`, hint },
    ];
  }
  if (typeof result !== 'boolean')
    return [{ message: `rule "${rule.name}" must return true or false, not ${typeof result}`, hint }];
  return result ? [] : [{ message: rule.message, hint }];
}

/** CEL distinguishes int from double: whole JSON numbers become ints so `replicas >= 2` works. */
function toCel(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map(toCel);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
