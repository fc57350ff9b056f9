import type { BuiltinRule } from '../types.js';
import { imageDigestRequired, imageTagMutable, registryAllowedRule } from './images.js';
import { secretPlaintext } from './secrets.js';
import { labelsRequired, replicasMinimum, resourcesRequired } from './workload.js';

/** Every built-in rule, in report order. */
export const builtinRules: readonly BuiltinRule[] = [
  secretPlaintext,
  imageTagMutable,
  imageDigestRequired,
  registryAllowedRule,
  resourcesRequired,
  labelsRequired,
  replicasMinimum,
];
