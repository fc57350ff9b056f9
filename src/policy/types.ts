import type { PolicySpec } from '../config/schema.js';
import type { RenderedResource } from '../model/resource.js';

export type Severity = 'error' | 'warn' | 'off';

/** One finding: which rule, about what, where, and what to do. Never carries a secret value. */
export interface Violation {
  rule: string;
  severity: 'error' | 'warn';
  message: string;
  hint: string;
  /** `Kind/name` or `Kind/namespace/name`. */
  resource?: string;
  kind?: string;
  file?: string;
  line?: number;
  /** Dotted path of the offending field, e.g. `spec.template.spec.containers[0].image`. */
  field?: string;
  app?: string;
  env?: string;
}

export interface PolicyReport {
  violations: Violation[];
  errors: number;
  warnings: number;
}

/** What a rule sees besides the resource. */
export interface RuleContext {
  policy: PolicySpec;
  /** Files the DecryptingFs decrypted; Secrets whose origin is one of them count as encrypted. */
  encryptedFiles?: ReadonlySet<string>;
}

export interface Finding {
  message: string;
  hint: string;
  field?: string;
}

export interface BuiltinRule {
  name: string;
  description: string;
  defaultSeverity: Severity;
  /** Severity implied by a convenience field in sluice.yaml (e.g. requireDigests), if set. */
  configuredSeverity?: (policy: PolicySpec) => Severity | undefined;
  check(resource: RenderedResource, ctx: RuleContext): Finding[];
}
