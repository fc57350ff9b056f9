import type { Project, Target } from '../config/index.js';
import { ValidationError } from '../errors/index.js';
import type { Provider, ProviderEvent } from '../providers/types.js';

/** One provider per target, created and started on first use. */
export class ProviderPool {
  private readonly providers = new Map<string, Provider>();
  private readonly started = new Map<string, Promise<void>>();

  constructor(
    private readonly create: (target: Target) => Provider,
    private readonly onEvent: (e: ProviderEvent) => void,
  ) {}

  /** The started provider for a target. */
  async get(project: Project, name: string): Promise<Provider> {
    const p = this.forTarget(project, name);
    await this.started.get(this.keyOf(project, name));
    return p;
  }

  private keyOf(project: Project, name: string): string {
    return `${name}:${JSON.stringify(project.targets.get(name))}`;
  }

  /** The provider for a target, possibly still starting; use get() before asking it anything. */
  forTarget(project: Project, name: string): Provider {
    const target = project.targets.get(name);
    if (!target) throw new ValidationError('CONFIG_INVALID', `unknown target "${name}"`, { file: project.file });
    // A target whose connection changed gets a new provider.
    const key = this.keyOf(project, name);
    let p = this.providers.get(key);
    if (!p) {
      p = this.create(target);
      p.onEvent(this.onEvent);
      this.providers.set(key, p);
      this.started.set(key, p.start());
    }
    return p;
  }

  /** Waits until every provider created so far has started (adopted what runs). */
  async ready(): Promise<void> {
    await Promise.all(this.started.values());
  }

  async closeAll(options: { stopWorkloads?: boolean }): Promise<void> {
    await Promise.allSettled(this.started.values());
    await Promise.all([...this.providers.values()].map((p) => p.close(options)));
  }
}
