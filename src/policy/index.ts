export { evaluatePolicy, mergeReports, ruleSeverity, summarize, type EvaluateOptions } from './evaluate.js';
export { PolicyError, assertPolicy, formatViolation } from './error.js';
export { builtinRules } from './rules/index.js';
export { parseImageRef, splitImage, registryAllowed, hasSha256Digest, type ImageRef } from '../model/image-ref.js';
export { artifacts, containers, replicas } from './workloads.js';
export type { Violation, PolicyReport, Severity, BuiltinRule, Finding, RuleContext } from './types.js';
export {
  validateTargets,
  errorViolation,
  type RenderFn,
  type ValidateResult,
  type ValidatedTarget,
  type ValidateTargetsOptions,
} from './validate.js';
