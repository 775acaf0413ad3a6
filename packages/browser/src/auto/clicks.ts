import type { Client } from '@tally/core';
import { listen } from '../guard.js';

type Tracker = (client: Pick<Client, 'track'>, active: () => boolean) => () => void;

/**
 * `type` events on or inside the nearest element matching `selector`. Capture phase, so a handler
 * calling `stopPropagation()` does not hide the event. What the element says about itself: event
 * type from `data-event-type` (default `action`), feature from `data-track`, `metadata.action` from
 * `data-action` (default `type`), and each `data-track-*` attribute as metadata with its suffix in
 * snake_case (`data-track-plan-id="7"` → `plan_id: "7"`), matching the wire format's field style.
 */
const tracker =
  (type: string, selector: string): Tracker =>
  (client, active) =>
    listen(
      document,
      {
        [type]: (e: Event) => {
          const el = active() && (e.target as Element).closest(selector);
          if (el) {
            const metadata: Record<string, string> = {};
            for (const { name, value } of el.attributes) {
              if (name.startsWith('data-track-')) metadata[name.slice(11).replace(/-/g, '_')] = value;
            }
            metadata.action = el.getAttribute('data-action') || type;
            client.track(el.getAttribute('data-event-type') || 'action', el.getAttribute('data-track') || undefined, metadata);
          }
        },
      },
      true,
    );

/**
 * Clicks on or inside a `[data-track]` element, the nearest one that is not a form: a
 * `<form data-track>` is left to `trackForms`, as a click inside it is not its submission.
 */
export const trackClicks = tracker('click', '[data-track]:not(form)');
/** Submissions of a `<form data-track>`. Field values are never read. */
export const trackForms = tracker('submit', 'form[data-track]');
