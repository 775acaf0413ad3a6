import type { BrowserContext, Page } from 'playwright-core';

/** Object-store record counts of every IndexedDB database of the page's origin: `{db: {store: n}}`. */
export function indexedDbCounts(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(async () => {
    const req = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const out: Record<string, Record<string, number>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await req(indexedDB.open(name));
      const stores: Record<string, number> = {};
      for (const store of Array.from(db.objectStoreNames)) {
        stores[store] = await req(db.transaction(store).objectStore(store).count());
      }
      db.close();
      out[name] = stores;
    }
    return out;
  });
}

/** Waits until the SDK has replaced the stub (`tally.version` is set by the script-tag entry). */
export async function sdkLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as unknown as { tally?: { version?: string } }).tally?.version == 'string', null, {
    timeout: 15_000,
    // Interval polling: the default (requestAnimationFrame) never fires in a background tab.
    polling: 100,
  });
}

export interface IngestRequest {
  /** `fetch` for the regular path; `ping` (sendBeacon) or a keepalive `fetch` when the page goes away. */
  resourceType: string;
  eventIds: string[];
  /** Set when the request failed at the network level (collector down, offline). */
  failure?: string;
  status?: number;
}

/** Records every POST to the collector's `/v1/events` made by any page of `context`. */
export function recordIngestRequests(context: BrowserContext, collectorUrl: string): IngestRequest[] {
  const log: IngestRequest[] = [];
  const byRequest = new Map<object, IngestRequest>();
  context.on('request', (req) => {
    if (req.method() !== 'POST' || !req.url().startsWith(`${collectorUrl}/v1/events`)) return;
    let eventIds: string[] = [];
    try {
      const body = JSON.parse(req.postData() ?? '{}') as { events?: Array<{ event_id?: string }> };
      eventIds = (body.events ?? []).map((e) => e.event_id ?? '');
    } catch {
      // Left empty: a body we cannot read shows up as a request with no ids.
    }
    const entry: IngestRequest = { resourceType: req.resourceType(), eventIds };
    byRequest.set(req, entry);
    log.push(entry);
  });
  context.on('requestfailed', (req) => {
    const entry = byRequest.get(req);
    if (entry) entry.failure = req.failure()?.errorText ?? 'failed';
  });
  context.on('response', (res) => {
    const entry = byRequest.get(res.request());
    if (entry) entry.status = res.status();
  });
  return log;
}

/** The keys of one object store (empty when the database or store does not exist). */
export function indexedDbKeys(page: Page, dbName: string, storeName: string): Promise<string[]> {
  return page.evaluate(
    async ([dbName, storeName]) => {
      if (!(await indexedDB.databases()).some((d) => d.name === dbName)) return [];
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(dbName);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        if (!db.objectStoreNames.contains(storeName)) return [];
        return await new Promise<string[]>((resolve, reject) => {
          const r = db.transaction(storeName).objectStore(storeName).getAllKeys();
          r.onsuccess = () => resolve(r.result.map(String));
          r.onerror = () => reject(r.error);
        });
      } finally {
        db.close();
      }
    },
    [dbName, storeName] as const,
  );
}

/** One value of an object store, as the page reads it (undefined when the database, store or key does not exist). */
export function indexedDbValue(page: Page, dbName: string, storeName: string, key: string): Promise<unknown> {
  return page.evaluate(
    async ([dbName, storeName, key]) => {
      if (!(await indexedDB.databases()).some((d) => d.name === dbName)) return undefined;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(dbName);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        if (!db.objectStoreNames.contains(storeName)) return undefined;
        return await new Promise<unknown>((resolve, reject) => {
          const r = db.transaction(storeName).objectStore(storeName).get(key);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      } finally {
        db.close();
      }
    },
    [dbName, storeName, key] as const,
  );
}
