/**
 * Properties of core's private objects (the queue, scheduler, identity and consent value): never
 * part of the public API, the wire format or anything stored, so the build may shorten them
 * (≈100 B gzipped). The script-tag build (packages/browser/tsup.config.ts) lists them too.
 */
export const CORE_PRIVATE =
  /^(poke|kick|retryIn|unretry|stop|acked|refused|addDropped|counts|forget|setUser|ids|load|save|renew|state|flags|small|seq)$/;
