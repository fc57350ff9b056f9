export { parseProject, loadProjectFile, PROJECT_FILE } from './load.js';
export { projectSchema } from './schema.js';
export type {
  ProjectFile,
  EnvironmentSpec,
  AppSpec,
  PromotionSpec,
  PolicySpec,
  VerifyCheckSpec,
  RepositorySpec,
} from './schema.js';
export { findApp, findEnvironment } from './project.js';
export type { Project, Environment, App } from './project.js';
export type { PrometheusServerSpec, MetricQuerySpec, MetricGateSpec, ComparisonOp } from './metric-schema.js';
export type { WebhooksSpec, SigningSpec, SecretRef, TrustedKeySpec } from './trust-schema.js';
export type { Target, TargetSpec } from '../providers/index.js';
export { parseDuration, formatDuration } from '../model/duration.js';
export { locateInDocument, formatFieldPath } from './yaml-location.js';
