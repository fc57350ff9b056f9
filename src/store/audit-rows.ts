import type { AuditRecord } from './audit-types.js';

export type Row = Record<string, unknown>;

/** A row of api_audit (either store) as an AuditRecord. */
export function toAudit(r: Row): AuditRecord {
  const a: AuditRecord = {
    id: Number(r.id),
    at: r.at as string,
    subject: r.subject as string,
    actor: r.actor as string,
    method: r.method as string,
    route: r.route as string,
    status: Number(r.status),
  };
  if (typeof r.app === 'string') a.app = r.app;
  if (typeof r.env === 'string') a.env = r.env;
  return a;
}
