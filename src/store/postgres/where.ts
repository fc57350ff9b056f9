/** A WHERE clause built from optional filters, with PostgreSQL's numbered parameters. */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds a clause whose single `?` is the next parameter. */
  add(clause: string, value: unknown): this {
    this.clauses.push(clause.replace('?', this.param(value)));
    return this;
  }

  /** The placeholder of one more parameter. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** Equality filters for the columns of `keys` that `query` sets. */
export function where<K extends string>(query: Partial<Record<K, unknown>>, keys: readonly K[]): Where {
  const w = new Where();
  for (const key of keys) {
    const v = query[key];
    if (v !== undefined) w.add(`${key} = ?`, v);
  }
  return w;
}
