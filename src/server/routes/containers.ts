import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors/index.js';
import type { LiveWorkload } from '../../plan/types.js';

/** What runs in a scope as its target reports it; undefined when the target cannot tell. */
export type ReadWorkloads = (app: string, env: string) => Promise<LiveWorkload[] | undefined>;

/**
 * `GET /api/v1/apps/:app/envs/:env/containers`: the containers (or replicas, or pods) of an
 * app in an environment, read from the target now, for the dashboard's app × environment view.
 */
export function containerRoutes(read: ReadWorkloads): (app: FastifyInstance) => void {
  return (app) => {
    app.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/containers', async (req) => {
      const { app: name, env } = req.params;
      const containers = await read(name, env);
      if (!containers)
        throw new NotFoundError('NO_CONTAINERS', `the target of ${env} does not report what runs there`, {
          hint: 'The app × environment view and `sluice status` show what was applied and its health.',
        });
      return { containers };
    });
  };
}
