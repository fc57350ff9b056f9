/**
 * Schema migrations, applied in order and recorded in `schema_migrations`. Append only:
 * a released migration is never edited, a change is a new entry.
 */
export const migrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'syncs and events',
    sql: `
      CREATE TABLE syncs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        revision TEXT NOT NULL,
        trigger TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT,
        dry_run INTEGER NOT NULL DEFAULT 0,
        result TEXT NOT NULL,
        plan TEXT,
        health TEXT,
        error TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        timings TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX syncs_scope ON syncs (project, app, env, id DESC);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        project TEXT NOT NULL,
        app TEXT,
        env TEXT,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        sync_id INTEGER REFERENCES syncs(id),
        data TEXT
      );
      CREATE INDEX events_scope ON events (project, app, env, id DESC);
    `,
  },
];
