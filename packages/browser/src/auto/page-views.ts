import type { Client } from '@tally/core';
import { listen, safe } from '../guard.js';

const navigated = new Set<() => void>();
let patched: History | undefined;

/**
 * SPA routers change the URL through `pushState`/`replaceState`, which fire no event: wrap them
 * once per page and fan out to every tracker. The wrappers stay in place after a tracker stops
 * (unwrapping could undo another library's later patch); they only notify live trackers.
 */
function patchHistory(): void {
  if (patched == history) return;
  patched = history;
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      // `safe`: a tracker must never break the router's navigation.
      navigated.forEach((notify) => safe(notify)());
      return result;
    };
  }
}

/**
 * `page_view` on start and once per URL change (`pushState`, `replaceState`, `popstate`,
 * `hashchange`). The check runs a tick after the change so routers can set `document.title`
 * first, and several signals for one change (pushState + hashchange) count once.
 */
export function trackPageViews(client: Pick<Client, 'page'>, active: () => boolean): () => void {
  let last: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = safe(() => {
    if (location.href != last && active()) {
      last = location.href;
      client.page();
    }
  });
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 0);
  };
  patchHistory();
  navigated.add(later);
  const off = listen(window, { popstate: later, hashchange: later });
  check();
  return () => {
    clearTimeout(timer);
    navigated.delete(later);
    off();
  };
}
