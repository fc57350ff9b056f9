import { z } from 'zod';
import type { AppEnvStatus, ProjectStatus } from '../reconcile/index.js';

/** Largest page: a page is read whole by one request, and 500 views stay well under a megabyte. */
export const MAX_STATUS_PAGE = 500;

const STATUS_NAMES = [
  ...['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Stalled', 'Unknown'],
  ...['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended'],
];
const STATUSES = STATUS_NAMES.map((s) => s.toLowerCase());

export const statusQuery = z
  .object({
    app: z.string().min(1).optional(),
    env: z.string().min(1).optional(),
    /** A sync status (Synced, OutOfSync…) or a health (Healthy, Degraded…): either matches. */
    status: z
      .string()
      .refine((s) => STATUSES.includes(s.toLowerCase()), {
        message: `status must be one of ${STATUS_NAMES.join(', ')}`,
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(MAX_STATUS_PAGE).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export type StatusQuery = z.infer<typeof statusQuery>;

export interface StatusPage {
  offset: number;
  limit: number;
  /** Scopes matching the filters, across all pages. */
  total: number;
  /** The offset of the next page; absent on the last. */
  next?: number;
}

/**
 * The scopes a query asks for: filtered by app, environment and status, then one page of them.
 * Without `limit` or `offset` every match comes back, as before paging existed, so older
 * clients read the same answer; with either, `page` says where the page sits.
 */
export function queryStatus(full: ProjectStatus, q: StatusQuery): ProjectStatus & { page?: StatusPage } {
  const wanted = q.status?.toLowerCase();
  const matches =
    q.app === undefined && q.env === undefined && wanted === undefined
      ? full.apps
      : full.apps.filter(
          (a) =>
            (q.app === undefined || a.app === q.app) &&
            (q.env === undefined || a.env === q.env) &&
            (wanted === undefined || matchesStatus(a, wanted)),
        );
  if (q.limit === undefined && q.offset === undefined) return { ...full, apps: matches };
  const offset = q.offset ?? 0;
  const limit = q.limit ?? MAX_STATUS_PAGE;
  const apps = matches.slice(offset, offset + limit);
  const page: StatusPage = { offset, limit, total: matches.length };
  if (offset + limit < matches.length) page.next = offset + limit;
  return { ...full, apps, page };
}

function matchesStatus(a: AppEnvStatus, wanted: string): boolean {
  return a.sync.toLowerCase() === wanted || a.health.toLowerCase() === wanted;
}
