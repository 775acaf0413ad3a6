import type { WireBatch as Batch } from '../wire.js';
import type { Transport, TransportResult } from '../types.js';

/** A scripted answer: a status, a full result, or a function of the batch. */
export type FakeResponse = number | TransportResult | ((batch: Batch) => TransportResult);

export interface FakeTransport extends Transport {
  /** Bodies passed to `send`, in order. */
  readonly sent: string[];
  /** Bodies passed to `sendUrgent`, in order. */
  readonly urgent: string[];
  /** Parsed `send` bodies. */
  batches(): Batch[];
  /** Queues answers for the next `send` calls; once used up, every call gets `fallback`. */
  respond(...responses: FakeResponse[]): void;
  /** Answer when nothing is scripted. Default 200 acknowledging everything. */
  fallback: FakeResponse;
  /** What `sendUrgent` returns. Default true. */
  acceptUrgent: boolean;
}

const ok = (batch: Batch): TransportResult => ({
  status: 200,
  body: { ok: true, logged: batch.events.length, duplicates: 0, rejected: [] },
});

/** A transport that records what it is given and answers from a script. */
export function createFakeTransport(): FakeTransport {
  const script: FakeResponse[] = [];
  const t: FakeTransport = {
    sent: [],
    urgent: [],
    fallback: ok,
    acceptUrgent: true,
    batches: () => t.sent.map((s) => JSON.parse(s) as Batch),
    respond: (...r) => void script.push(...r),
    send: async (body) => {
      t.sent.push(body);
      const r = script.length ? script.shift()! : t.fallback;
      const batch = JSON.parse(body) as Batch;
      if (typeof r == 'function') return r(batch);
      if (typeof r == 'number') return r >= 200 && r < 300 ? { ...ok(batch), status: r } : { status: r };
      return r;
    },
    sendUrgent: (body) => {
      t.urgent.push(body);
      return t.acceptUrgent;
    },
  };
  return t;
}
