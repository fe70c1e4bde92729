/**
 * Builds parameterised SQL for either engine from one text: `param()` binds a value and returns
 * its placeholder (`@pN` for better-sqlite3's named parameters, `$N` for Postgres), so fragments
 * can be composed in any order.
 */
export type Engine = "sqlite" | "postgres";

export interface Statement {
  text: string;
  values: unknown[];
  /**
   * Worth a server-side prepared statement (PostgreSQL): a fixed text run often whose planning
   * costs more than its execution. SQLite caches every prepared statement anyway.
   */
  prepare?: boolean;
}

export class SqlBuilder {
  readonly values: unknown[] = [];

  constructor(readonly engine: Engine) {}

  param(value: unknown): string {
    // better-sqlite3 binds numbers, strings, bigints, buffers and null only.
    const bound = value === undefined ? null : this.engine === "sqlite" && typeof value === "boolean" ? (value ? 1 : 0) : value;
    this.values.push(bound);
    return this.engine === "sqlite" ? `@p${this.values.length}` : `$${this.values.length}`;
  }

  /** `column IN (…ids)` with the whole list bound as one parameter (no placeholder limits). */
  inIds(column: string, ids: readonly number[]): string {
    return this.engine === "sqlite"
      ? `${column} IN (SELECT value FROM json_each(${this.param(JSON.stringify(ids))}))`
      : `${column} = ANY(${this.param(ids)}::bigint[])`;
  }

  /**
   * The ids as a table `alias(value)` to drive a join from (`FROM <ids> CROSS JOIN t WHERE
   * t.id = alias.value`): SQLite then probes t's index per id instead of scanning t for the list.
   */
  idTable(ids: readonly number[], alias: string): string {
    return this.engine === "sqlite"
      ? `json_each(${this.param(JSON.stringify(ids))}) AS ${alias}`
      : `unnest(${this.param(ids)}::bigint[]) AS ${alias} (value)`;
  }

  /** `column IN (…values)` for text values, bound as one parameter. */
  inTexts(column: string, values: readonly string[]): string {
    return this.engine === "sqlite"
      ? `${column} IN (SELECT value FROM json_each(${this.param(JSON.stringify(values))}))`
      : `${column} = ANY(${this.param(values)}::text[])`;
  }

  build(text: string): Statement {
    return { text, values: this.values };
  }
}

export function statement(engine: Engine, compose: (q: SqlBuilder) => string): Statement {
  const q = new SqlBuilder(engine);
  return q.build(compose(q));
}

/** Multi-row INSERTs, chunked so that no statement binds more than ~10,000 values. */
export function insertRows(engine: Engine, table: string, rows: readonly Record<string, unknown>[]): Statement[] {
  const first = rows[0];
  if (!first) return [];
  const columns = Object.keys(first);
  const perStatement = Math.max(1, Math.floor(10_000 / columns.length));
  const out: Statement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    out.push(
      statement(engine, (q) => {
        const tuples = chunk.map((row) => `(${columns.map((c) => q.param(row[c])).join(", ")})`);
        return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`;
      }),
    );
  }
  return out;
}

/** What the engine-independent reads run on: the engine's dialect and its query primitive. */
export interface SqlReader {
  readonly engine: Engine;
  /** See AuditStoreOptions.pathIndexMaxRows. */
  readonly pathIndexMaxRows: number;
  query<T>(stmt: Statement): Promise<T[]>;
}
