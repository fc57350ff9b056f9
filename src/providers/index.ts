export type * from './types.js';
export { scopeId } from './types.js';
export {
  targetKinds,
  targetKind,
  targetKindNames,
  targetSchema,
  createProvider,
  connectionKey,
  targetAccepts,
  validateForTarget,
  servedValidation,
  claimsOn,
  workloadsOf,
  appliedArtifactsOf,
  artifactEditsOf,
  endpointsOf,
  scaffoldKinds,
  type Target,
  type TargetSpec,
} from './registry.js';
