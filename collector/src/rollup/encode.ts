import { createCubeBuilder, encodeRows, encodeUsers, NO_USER, type RowSet } from './cube.js';

/**
 * The CPU-heavy half of a rollup, as a pure function of plain data so that it can run in a worker
 * thread (encode-worker.ts) while the main thread keeps answering: merging row sets, sorting the
 * users and encoding the rows. The SQLite writes stay with the
 * caller (one connection, one transaction with the bookkeeping).
 */
export interface EncodeJob {
  /** `whole`: the day's rows are `rows` merged into one set; `part`: `rows` are appended as a part. */
  mode: 'whole' | 'part';
  rows: RowSet[];
  /** Distinct users of `rows` when it is one set (else recomputed from the merge). */
  users?: Uint32Array;
}

export interface EncodedStep {
  type: number;
  feature: number;
  data: Uint8Array;
}

export interface Encoded {
  /** Distinct users of the rows. */
  users: number;
  usersBlob: Uint8Array;
  rowsBlob: Uint8Array;
  steps: EncodedStep[];
}

export function encodeJob(job: EncodeJob): Encoded {
  let rows = job.rows[0]!;
  let users = job.rows.length === 1 ? job.users : undefined;
  if (job.rows.length > 1) {
    const b = createCubeBuilder(job.rows.reduce((n, r) => n + r.n, 0));
    for (const r of job.rows) b.addRows(r);
    const v = b.view();
    rows = v.rows;
    users = v.users;
  }
  if (users === undefined) {
    const seen = new Set<number>();
    for (let r = 0; r < rows.n; r++) if (rows.user[r] !== NO_USER) seen.add(rows.user[r]!);
    users = Uint32Array.from(seen);
  }
  return {
    users: users.length,
    usersBlob: job.mode === 'whole' ? encodeUsers(users) : new Uint8Array(0),
    rowsBlob: encodeRows(rows),
    // Filled by the caller: the funnel index comes from the day's step log (steps.ts), which lives
    // on the main thread.
    steps: [],
  };
}
