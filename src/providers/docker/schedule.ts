import { ValidationError } from '../../errors/index.js';
import type { DesiredService } from './plan.js';

/**
 * Runs `run` once for every item, each only after the items it depends on have finished, with
 * at most `limit` running at once: services with no dependency between them are rolled out
 * side by side, as `docker compose up` does. The first failure stops new starts (what already
 * runs finishes) and is thrown; an item never starts after one it depends on failed.
 * `after` must name items of the list only, in an order without cycles.
 */
export async function runInDependencyOrder<T>(
  items: readonly T[],
  after: (item: T) => readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const done = new Set<T>();
  const started = new Set<T>();
  let failed: { error: unknown } | undefined;
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (!failed)
        for (const item of items) {
          if (running >= limit) break;
          if (started.has(item) || !after(item).every((d) => done.has(d))) continue;
          started.add(item);
          running++;
          run(item).then(
            () => {
              done.add(item);
              running--;
              pump();
            },
            (e: unknown) => {
              failed ??= { error: e };
              running--;
              pump();
            },
          );
        }
      if (running === 0) resolve();
    };
    pump();
  });
  if (failed) throw failed.error;
}

/** Services in an order where each comes after what it depends on; a cycle is an error. */
export function dependencyOrder(services: DesiredService[]): DesiredService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: DesiredService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: DesiredService, path: string[]) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting')
      throw new ValidationError(
        'DOCKER_DEPENDENCY_CYCLE',
        `services depend on each other in a cycle: ${[...path, s.name].join(' → ')}`,
        {
          resource: `Service/${s.name}`,
          field: 'spec.depends_on',
        },
      );
    state.set(s.name, 'visiting');
    for (const dep of Object.keys(s.spec.depends_on ?? {})) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, s.name]);
    }
    state.set(s.name, 'done');
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}
