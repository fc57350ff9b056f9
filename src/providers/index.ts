export type * from './types.js';
export { scopeId } from './types.js';
export {
  targetKinds,
  targetKind,
  targetKindNames,
  targetSchema,
  createProvider,
  connectionKey,
  workloadsOf,
  appliedArtifactsOf,
  artifactEditsOf,
  endpointsOf,
  scaffoldKinds,
  type Target,
  type TargetSpec,
} from './registry.js';
