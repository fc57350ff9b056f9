import type { App, Environment, Project } from '../config/index.js';
import { isSluiceError } from '../errors/index.js';
import type { RenderedResource } from '../model/resource.js';
import type { SecretRegistry } from '../secrets/mask.js';
import { evaluatePolicy, mergeReports, summarize } from './evaluate.js';
import type { PolicyReport, Violation } from './types.js';

/** Renders one app for one environment (the caller binds the file tree and renderer). */
export type RenderFn = (app: App, env: Environment) => RenderedResource[];

export interface ValidateTargetsOptions {
  project: Project;
  targets: { app: App; env: Environment }[];
  render: RenderFn;
  /** Files that were SOPS-encrypted in the tree the render reads. */
  encryptedFiles?: ReadonlySet<string>;
  /** Masks every message, so a render error quoting a decrypted line cannot leak it. */
  registry?: SecretRegistry;
}

export interface ValidatedTarget {
  app: string;
  env: string;
  resources: number;
  report: PolicyReport;
}

export interface ValidateResult {
  project: string;
  targets: ValidatedTarget[];
  report: PolicyReport;
  /** Notes for a person, e.g. that encrypted files were found but not decrypted. */
  notes: string[];
}

/**
 * Renders and checks every target, turning render failures into `render` violations so one
 * broken app does not hide the findings of the others.
 */
export function validateTargets(options: ValidateTargetsOptions): ValidateResult {
  const { project, registry } = options;
  const mask = (v: Violation): Violation =>
    registry ? { ...v, message: registry.mask(v.message), hint: registry.mask(v.hint) } : v;
  const targets: ValidatedTarget[] = [];
  for (const { app, env } of options.targets) {
    let report: PolicyReport;
    let count = 0;
    try {
      const resources = options.render(app, env);
      count = resources.length;
      report = evaluatePolicy(resources, env, project, {
        app: app.name,
        ...(options.encryptedFiles ? { encryptedFiles: options.encryptedFiles } : {}),
      });
    } catch (e) {
      report = summarize([errorViolation('render', e, { app: app.name, env: env.name })]);
    }
    targets.push({ app: app.name, env: env.name, resources: count, report: summarize(report.violations.map(mask)) });
  }
  return { project: project.name, targets, report: mergeReports(targets.map((t) => t.report)), notes: [] };
}

/** A violation for a failure that stopped checking (render, decryption). */
export function errorViolation(rule: string, e: unknown, where: { app?: string; env?: string }): Violation {
  if (isSluiceError(e)) {
    return {
      rule,
      severity: 'error',
      message: e.message,
      hint: e.hint ?? 'Fix the file named above and run `sluice validate` again.',
      ...(e.location.file ? { file: e.location.file } : {}),
      ...(e.location.line !== undefined ? { line: e.location.line } : {}),
      ...(e.location.resource ? { resource: e.location.resource } : {}),
      ...(e.location.field ? { field: e.location.field } : {}),
      ...where,
    };
  }
  return {
    rule,
    severity: 'error',
    message: e instanceof Error ? e.message : String(e),
    hint: 'This is unexpected; please report it with the command you ran.',
    ...where,
  };
}
