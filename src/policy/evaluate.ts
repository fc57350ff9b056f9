import type { Environment, Project } from '../config/index.js';
import type { PolicySpec } from '../config/schema.js';
import { fieldLocation, parseFieldPath, resourceRef, type RenderedResource } from '../model/resource.js';
import { checkCustom, compileError, matches } from './cel.js';
import { builtinRules } from './rules/index.js';
import type { BuiltinRule, Finding, PolicyReport, RuleContext, Severity, Violation } from './types.js';

export interface EvaluateOptions {
  /** App name, copied into each violation for reports. */
  app?: string;
  /** Files the DecryptingFs decrypted (its `encryptedPaths`). */
  encryptedFiles?: ReadonlySet<string>;
}

/** Severity of a built-in rule in an environment: `rules:` wins, then convenience fields, then the default. */
export function ruleSeverity(
  rule: Pick<BuiltinRule, 'name' | 'defaultSeverity' | 'configuredSeverity'>,
  policy: PolicySpec,
): Severity {
  return policy.rules?.[rule.name] ?? rule.configuredSeverity?.(policy) ?? rule.defaultSeverity;
}

/**
 * Runs every built-in and custom rule on the rendered resources of one app in one environment.
 * Pure: no I/O, the same input always gives the same report.
 */
export function evaluatePolicy(
  resources: readonly RenderedResource[],
  env: Pick<Environment, 'name' | 'policy'>,
  _project?: Pick<Project, 'name'>,
  options: EvaluateOptions = {},
): PolicyReport {
  const policy: PolicySpec = env.policy ?? {};
  const ctx: RuleContext = { policy, ...(options.encryptedFiles ? { encryptedFiles: options.encryptedFiles } : {}) };
  const violations: Violation[] = [];
  const base = { env: env.name, ...(options.app ? { app: options.app } : {}) };

  const emit = (rule: string, severity: Severity, f: Finding, r?: RenderedResource): void => {
    if (severity === 'off') return;
    violations.push({
      rule,
      severity,
      message: f.message,
      hint: f.hint,
      ...(r ? { resource: resourceRef(r.object), kind: r.object.kind } : {}),
      ...(r ? at(r, f) : {}),
      ...(f.field ? { field: f.field } : {}),
      ...base,
    });
  };

  for (const rule of builtinRules) {
    const severity = ruleSeverity(rule, policy);
    if (severity === 'off') continue;
    for (const r of resources) for (const f of rule.check(r, ctx)) emit(rule.name, severity, f, r);
  }

  for (const rule of policy.custom ?? []) {
    const severity = policy.rules?.[rule.name] ?? rule.severity;
    if (severity === 'off') continue;
    const bad = compileError(rule);
    if (bad) {
      emit(rule.name, 'error', {
        message: `custom rule "${rule.name}" is not valid CEL: ${bad}`,
        hint: 'Fix the expression under policy.custom in sluice.yaml; `object` is the resource.',
      });
      continue;
    }
    for (const r of resources)
      if (matches(rule, r.object))
        for (const f of checkCustom(rule, r.object, env.name)) emit(rule.name, severity, f, r);
  }

  return summarize(violations);
}

/** File and line of the finding's field (the patch that set it, where the renderer can tell), else of the document. */
function at(r: RenderedResource, f: Finding): { file?: string; line?: number } {
  const where = fieldLocation(r.origin, f.field ? parseFieldPath(r.object, f.field) : []);
  if (!where) return {};
  return where.line === undefined ? { file: where.file } : { file: where.file, line: where.line };
}

export function summarize(violations: Violation[]): PolicyReport {
  return {
    violations,
    errors: violations.filter((v) => v.severity === 'error').length,
    warnings: violations.filter((v) => v.severity === 'warn').length,
  };
}

/** Merges reports of several apps or environments. */
export function mergeReports(reports: PolicyReport[]): PolicyReport {
  return summarize(reports.flatMap((r) => r.violations));
}
