import type { Session } from 'chdb';

/**
 * ClickHouse in-process (the `chdb` npm package, a devDependency) as an independent oracle for
 * tests: load rows as JSONEachRow into a table, run SQL, read the answer as JSON objects.
 * Deliberately not exported from `testing/index.ts`: chdb loads a ~500 MB native library, so only
 * the tests that ask for it pay for it (the import happens in `openClickHouse`).
 *
 * ```ts
 * const ch = await openClickHouse();
 * try {
 *   await ch.load('events', 'user String, t UInt64, type String', rows);
 *   const out = await ch.rows<{ user: string; level: number }>('SELECT user, windowFunnel(...)(...) AS level FROM events GROUP BY user');
 * } finally {
 *   ch.close();
 * }
 * ```
 */
export interface ClickHouse {
  /**
   * Creates `table` (MergeTree, no sort key: rows keep no meaningful order) with `columns` in
   * ClickHouse DDL (`'user String, t UInt64'`) and inserts `rows` as JSONEachRow; fields not
   * in `columns` are ignored. Returns the number of rows written.
   */
  load(table: string, columns: string, rows: Iterable<Record<string, unknown>>): Promise<number>;
  /** Runs `sql` and returns its rows (JSONEachRow parsed; 64-bit integers come back as numbers). */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs a statement whose output is not needed (DDL, SET, INSERT ... SELECT). */
  exec(sql: string): Promise<void>;
  /** The engine's version string, e.g. `26.7.2.1`. */
  readonly version: string;
  /** Releases the session and its temporary directory. Idempotent. */
  close(): void;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One isolated session in a temporary directory. chdb allows one live session per process. */
export async function openClickHouse(): Promise<ClickHouse> {
  const chdb = await import('chdb');
  const session: Session = new chdb.Session();
  const rows = async <T>(sql: string): Promise<T[]> => {
    // Numbers as JSON numbers (not quoted strings): test data stays below 2^53.
    const r = await session.queryAsync(`${sql} SETTINGS output_format_json_quote_64bit_integers = 0`, { format: 'JSONEachRow' });
    const text = r.text();
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as T);
  };
  const version = (await rows<{ v: string }>('SELECT version() AS v'))[0]!.v;
  return {
    version,
    async load(table, columns, input) {
      if (!IDENT.test(table)) throw new Error(`bad table name: ${table}`);
      await session.queryAsync(`CREATE TABLE ${table} (${columns}) ENGINE = MergeTree ORDER BY tuple()`);
      let body = '';
      let n = 0;
      for (const r of input) {
        body += JSON.stringify(r) + '\n';
        n++;
      }
      if (n === 0) return 0;
      await session.insert({
        table,
        values: Buffer.from(body),
        format: 'JSONEachRow',
        settings: { input_format_skip_unknown_fields: 1 },
      });
      return n;
    },
    rows,
    async exec(sql) {
      await session.queryAsync(sql);
    },
    close() {
      session.close();
    },
  };
}
