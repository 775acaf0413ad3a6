import type { Client } from '@tally/core';
import { safe } from '../guard.js';

type Notify = () => void;
const navigationListeners = new Set<Notify>();
let patchedHistory: History | undefined;

/**
 * SPA routers change the URL through `pushState`/`replaceState`, which fire no event: wrap them
 * once per page and fan out to every tracker. The wrappers stay in place after `shutdown()`
 * (unwrapping could undo another library's later patch); they only notify live listeners.
 */
function patchHistory(): void {
  if (patchedHistory === history) return;
  patchedHistory = history;
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      for (const notify of navigationListeners) {
        try {
          notify();
        } catch {
          // Never break the router's navigation.
        }
      }
      return result;
    };
  }
}

/**
 * `page_view` on load and once per URL change (`pushState`, `replaceState`, `popstate`,
 * `hashchange`). The check runs a tick after the change so routers can set `document.title`
 * first, and several signals for the same change (pushState + hashchange) count once.
 */
export function trackPageViews(client: Pick<Client, 'page'>, active: () => boolean): () => void {
  let last: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = safe(() => {
    const href = location.href;
    if (href !== last && active()) {
      last = href;
      client.page();
    }
  });
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 0);
  };
  patchHistory();
  navigationListeners.add(later);
  addEventListener('popstate', later);
  addEventListener('hashchange', later);
  check();
  return () => {
    clearTimeout(timer);
    navigationListeners.delete(later);
    removeEventListener('popstate', later);
    removeEventListener('hashchange', later);
  };
}
