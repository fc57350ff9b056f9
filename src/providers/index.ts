import type { Target } from '../config/index.js';
import { ValidationError } from '../errors/index.js';
import { createKubernetesProvider } from './kubernetes/index.js';
import { createProcessProvider } from './process/index.js';
import type { Provider, ProviderContext } from './types.js';

export type * from './types.js';
export { scopeId } from './types.js';

/** The provider for a target from sluice.yaml. */
export function createProvider(target: Target, ctx: ProviderContext): Provider {
  switch (target.provider) {
    case 'process':
      return createProcessProvider(ctx);
    case 'kubernetes':
      return createKubernetesProvider(target, ctx);
    case 'docker':
      throw new ValidationError('PROVIDER_UNAVAILABLE', `target "${target.name}" uses the ${target.provider} provider, which this build does not include yet`, {
        hint: 'Use a process or kubernetes target for now.',
      });
  }
}
