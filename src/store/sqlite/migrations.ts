import type Database from 'better-sqlite3';
import { sealExisting } from './ledger-chain.js';

/**
 * Schema migrations, applied in order and recorded in `schema_migrations`. Append only:
 * a released migration is never edited, a change is a new entry.
 */
export const migrations: {
  version: number;
  name: string;
  sql: string;
  /** Data the SQL cannot compute, run after it in the same transaction. */
  run?: (db: Database.Database) => void;
}[] = [
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
  {
    version: 2,
    name: 'deployment ledger: changes, promotions, approvals, applied artifacts, verifications',
    sql: `
      CREATE TABLE ledger_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        revision TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        author TEXT NOT NULL,
        committed_at TEXT NOT NULL,
        artifacts TEXT NOT NULL DEFAULT '[]',
        source_commit TEXT,
        source_time TEXT,
        ci_run TEXT,
        promotion_id INTEGER,
        from_env TEXT,
        rollback_of TEXT,
        flagged TEXT,
        recorded_at TEXT NOT NULL,
        UNIQUE (project, app, env, revision)
      );
      CREATE INDEX ledger_changes_scope ON ledger_changes (project, app, env, committed_at);
      CREATE TABLE ledger_observed (
        project TEXT NOT NULL,
        revision TEXT NOT NULL,
        PRIMARY KEY (project, revision)
      );
      CREATE TABLE promotions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_env TEXT,
        env TEXT NOT NULL,
        state TEXT NOT NULL,
        artifacts TEXT NOT NULL DEFAULT '[]',
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        base_revision TEXT NOT NULL,
        revision TEXT,
        source_commit TEXT,
        source_time TEXT,
        ci_run TEXT,
        external TEXT,
        gates TEXT NOT NULL DEFAULT '[]',
        message TEXT
      );
      CREATE INDEX promotions_scope ON promotions (project, app, env, id DESC);
      CREATE TABLE approvals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        promotion_id INTEGER NOT NULL REFERENCES promotions(id),
        actor TEXT NOT NULL,
        decision TEXT NOT NULL,
        comment TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX approvals_promotion ON approvals (promotion_id);
      CREATE TABLE applied_artifacts (
        sync_id INTEGER PRIMARY KEY REFERENCES syncs(id),
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        revision TEXT NOT NULL,
        artifacts TEXT NOT NULL
      );
      CREATE INDEX applied_scope ON applied_artifacts (project, app, env, sync_id);
      CREATE TABLE verifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sync_id INTEGER NOT NULL REFERENCES syncs(id),
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        revision TEXT NOT NULL,
        result TEXT NOT NULL,
        checks TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        rollback_revision TEXT
      );
      CREATE INDEX verifications_scope ON verifications (project, app, env, id);
    `,
  },
  {
    version: 3,
    name: 'ledger: a rollback marked as a deliberate step back, not a failure',
    sql: `ALTER TABLE ledger_changes ADD COLUMN not_a_failure TEXT;`,
  },
  {
    version: 4,
    name: 'syncs: the controller instance that owns a running sync',
    sql: `ALTER TABLE syncs ADD COLUMN owner TEXT;`,
  },
  {
    version: 5,
    name: 'scope leases: which controller syncs an app × environment, with a fencing token',
    sql: `
      CREATE TABLE scope_leases (
        project TEXT NOT NULL,
        app TEXT NOT NULL,
        env TEXT NOT NULL,
        holder TEXT NOT NULL,
        token INTEGER NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (project, app, env)
      );
    `,
  },
  {
    version: 6,
    name: 'ledger: a hash chain over the changes, existing entries chained in order',
    sql: `
      ALTER TABLE ledger_changes ADD COLUMN prev_hash TEXT;
      ALTER TABLE ledger_changes ADD COLUMN hash TEXT;
      CREATE TABLE ledger_chain_head (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        id INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
    `,
    run: sealExisting,
  },
  {
    version: 7,
    name: 'webhook deliveries seen, to act once per delivery id',
    sql: `
      CREATE TABLE webhook_deliveries (
        sender TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (sender, delivery_id)
      );
    `,
  },
  {
    version: 8,
    name: 'holds: digests held in an environment after their verification failed there',
    sql: `
      CREATE TABLE holds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        env TEXT NOT NULL,
        digest TEXT NOT NULL,
        app TEXT NOT NULL,
        artifact TEXT NOT NULL,
        reason TEXT NOT NULL,
        held_at TEXT NOT NULL,
        held_by TEXT NOT NULL,
        verification_id INTEGER,
        sync_id INTEGER,
        revision TEXT,
        lifted_at TEXT,
        lifted_by TEXT,
        lift_reason TEXT
      );
      CREATE INDEX holds_digest ON holds (project, env, digest, lifted_at);
    `,
  },
  {
    version: 9,
    name: 'access: API tokens, kept as hashes',
    sql: `
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        display_name TEXT NOT NULL,
        email TEXT,
        role TEXT NOT NULL,
        environments TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
      );
    `,
  },
  {
    version: 10,
    name: 'audit: every mutating API call',
    sql: `
      CREATE TABLE api_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        subject TEXT NOT NULL,
        actor TEXT NOT NULL,
        method TEXT NOT NULL,
        route TEXT NOT NULL,
        app TEXT,
        env TEXT,
        status INTEGER NOT NULL
      );
      CREATE INDEX api_audit_scope ON api_audit (app, env, id);
    `,
  },
  {
    version: 11,
    name: 'controller heartbeats: the replicas alive in a project, for fair shares of scope leases',
    sql: `
      CREATE TABLE controller_heartbeats (
        project TEXT NOT NULL,
        instance TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (project, instance)
      );
    `,
  },
  {
    version: 12,
    name: 'ledger: the gates a directly committed change passed (null for older entries, so their hashes hold)',
    sql: `ALTER TABLE ledger_changes ADD COLUMN gates TEXT;`,
  },
];
