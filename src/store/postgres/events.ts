import { rowToEvent, type EventRow } from '../rows.js';
import type { EventQuery, EventRecord, NewEvent } from '../types.js';
import type { PgDb } from './db.js';
import { where } from './where.js';

/** The events table of the PostgreSQL store. */
export class PgEvents {
  constructor(private readonly db: PgDb) {}

  async add(event: NewEvent): Promise<EventRecord> {
    const row = await this.db.one<EventRow>(
      `INSERT INTO events (time, project, app, env, type, severity, message, sync_id, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        event.time ?? new Date().toISOString(),
        event.project,
        event.app ?? null,
        event.env ?? null,
        event.type,
        event.severity,
        event.message,
        event.syncId ?? null,
        event.data ? JSON.stringify(event.data) : null,
      ],
    );
    return rowToEvent(row!);
  }

  async list(query: EventQuery = {}): Promise<EventRecord[]> {
    const w = where(query, ['project', 'app', 'env', 'type']);
    if (query.sinceId !== undefined) w.add('id > ?', query.sinceId);
    const rows = await this.db.rows<EventRow>(
      `SELECT * FROM events ${w.sql()} ORDER BY id DESC LIMIT ${w.param(query.limit ?? 100)}`,
      w.params,
    );
    return rows.map(rowToEvent);
  }
}
