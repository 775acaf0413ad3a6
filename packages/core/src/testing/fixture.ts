import { createClient } from '../client.js';
import type { ClientOptions } from '../types.js';
import { createFakeClock, createFakeLifecycle, settle } from './clock.js';
import { createMemoryStorage, type MemoryStorage } from './storage.js';
import { createFakeTransport } from './transport.js';

/** Core's own tests: a client wired to every fake. Not exported from `@tally/core/testing`. */
export function setup(options: Partial<ClientOptions> & { storage?: MemoryStorage } = {}) {
  const storage = options.storage ?? createMemoryStorage();
  const transport = createFakeTransport();
  const clock = createFakeClock();
  const lifecycle = createFakeLifecycle();
  let n = 0;
  const client = createClient({
    storage,
    transport,
    clock,
    lifecycle,
    app: 'test',
    random: () => 0.5,
    uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    url: () => 'https://shop.example/cart?item=3',
    ...options,
  });
  const events = () => transport.batches().flatMap((b) => b.events);
  return { client, storage, transport, clock, lifecycle, events, settle };
}
