import type { Client } from '@tally/core';
import { listen } from '../guard.js';

type Tracked = [eventType: string, feature: string | undefined, metadata: Record<string, string>];
type Tracker = (client: Pick<Client, 'track'>, active: () => boolean) => () => void;

/**
 * What a `data-track` element says about itself: event type from `data-event-type` (default
 * `action`), feature from `data-track`, `metadata.action` from `data-action` (default
 * `defaultAction`), and each `data-track-*` attribute as metadata with its suffix in snake_case
 * (`data-track-plan-id="7"` → `plan_id: "7"`), matching the wire format's field style.
 */
export function describeTracked(el: Element, defaultAction: string): Tracked {
  const metadata: Record<string, string> = {};
  for (const { name, value } of Array.from(el.attributes)) {
    if (name.startsWith('data-track-')) metadata[name.slice(11).replace(/-/g, '_')] = value;
  }
  metadata.action = el.getAttribute('data-action') || defaultAction;
  return [el.getAttribute('data-event-type') || 'action', el.getAttribute('data-track') || undefined, metadata];
}

/**
 * Clicks on or inside a `[data-track]` element. Capture phase, so a handler calling
 * `stopPropagation()` does not hide the click. A `<form data-track>` is left to `trackForms`:
 * a click inside it is not its submission.
 */
export const trackClicks: Tracker = (client, active) =>
  listen(
    document,
    {
      click: (e: Event) => {
        const el = active() && (e.target as Element).closest('[data-track]');
        if (el && el.tagName != 'FORM') client.track(...describeTracked(el, 'click'));
      },
    },
    true,
  );

/** Submissions of a `<form data-track>` (`metadata.action` defaults to `submit`). Field values are never read. */
export const trackForms: Tracker = (client, active) =>
  listen(
    document,
    {
      submit: (e: Event) => {
        const form = e.target as Element;
        if (active() && form.hasAttribute('data-track')) client.track(...describeTracked(form, 'submit'));
      },
    },
    true,
  );
