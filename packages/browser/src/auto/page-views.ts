import type { Client } from '@tally/core';
import { listen, safe } from '../guard.js';

let patched: unknown;

/**
 * `page_view` on start and once per URL change (`pushState`, `replaceState`, `popstate`,
 * `hashchange`). The check runs a tick after the change so routers can set `document.title`
 * first; it compares with the last URL tracked, so several signals for one change (pushState +
 * hashchange) count once. A check still pending when the tracker stops finds `active` false.
 */
export function trackPageViews(client: Pick<Client, 'page'>, active: () => boolean): () => void {
  let last: string | undefined;
  const check = safe(() => {
    if (active() && last != (last = location.href)) client.page();
  });
  const later = () => setTimeout(check);
  // SPA routers change the URL through `pushState`/`replaceState`, which fire no event: wrap them
  // once per page to fire `tally` on `window`, which every tracker listens to. An event, not a
  // list of callbacks: a listener's exception never reaches the router (dispatch reports it, and
  // `listen` guards it anyway). The wrappers stay in place after a tracker stops (unwrapping could
  // undo another library's later patch).
  if (!patched) {
    patched = 1;
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      // Dispatched before the call: the check runs a tick later, once the URL has changed.
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        dispatchEvent(new Event('tally'));
        return original.apply(this, args);
      };
    }
  }
  const off = listen(window, { popstate: later, hashchange: later, tally: later });
  check();
  return () => {
    off();
    active = () => false;
  };
}
