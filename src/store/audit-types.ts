/** The audit trail of the API: one record per mutating call, whoever made it and however it ended. */

export interface AuditRecord {
  id: number;
  at: string;
  /** `subject` of the identity, or `anonymous` when the call carried no valid credential. */
  subject: string;
  actor: string;
  method: string;
  /** The route pattern (`/api/v1/promotions/:id/approve`), not the raw URL: no query string is kept. */
  route: string;
  app?: string;
  env?: string;
  /** HTTP status of the answer. */
  status: number;
}

export type NewAudit = Omit<AuditRecord, 'id'>;

export interface AuditQuery {
  app?: string;
  env?: string;
  /** Only records at or after this time (ISO). */
  since?: string;
  limit?: number;
}

export interface AuditStore {
  recordCall(entry: NewAudit): Promise<AuditRecord>;
  /** Newest first. */
  listCalls(query?: AuditQuery): Promise<AuditRecord[]>;
}
