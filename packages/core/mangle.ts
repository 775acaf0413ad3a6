/**
 * Properties of core's private objects (the queue, scheduler, identity and consent value): never
 * part of the public API, the wire format, the Storage contract or anything stored, so a build may
 * shorten them. Never list a name that also names a built-in's property (`add`, `clear`, `done`,
 * `value`...): every property of that name is renamed.
 * Core's build and size test use CORE_PRIVATE; the script-tag build (packages/browser/tsup.config.ts)
 * adds the browser's own names to CORE_PRIVATE_NAMES.
 */
export const CORE_PRIVATE_NAMES = [
  // scheduler
  'poke', 'kick', 'retryIn', 'unretry', 'stop',
  // queue
  'store', 'peek', 'acked', 'erase', 'counts',
  // identity
  'setUser', 'ids', 'load', 'save', 'renew', 'forget',
  // consent value
  'state', 'flags',
];

export const CORE_PRIVATE = new RegExp('^(' + CORE_PRIVATE_NAMES.join('|') + ')$');
