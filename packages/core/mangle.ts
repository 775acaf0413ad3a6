/**
 * Properties of core's private objects (the queue, scheduler, identity and consent value): never
 * part of the public API, the wire format or anything stored, so the build may shorten them
 * (≈100 B gzipped). The one list: the script-tag build (packages/browser/tsup.config.ts) adds its
 * own names to these.
 */
export const CORE_PRIVATE_NAMES: readonly string[] = [
  'poke', 'kick', 'retryIn', 'unretry', 'stop', 'acked', 'refused', 'addDropped', 'counts', 'forget',
  'setUser', 'ids', 'load', 'save', 'renew', 'state', 'flags', 'small', 'seq',
];

export const CORE_PRIVATE = new RegExp(`^(${CORE_PRIVATE_NAMES.join('|')})$`);
