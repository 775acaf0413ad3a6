import type { Engine } from '../rollup/index.js';

/**
 * State of the query side that belongs to one engine: caches of answers keyed on its days' versions.
 * The engine is made by the composition root (`openRollups` in bootstrap.ts or a test harness)
 * and reaches every query through `deps.rollups`; its caches live and die with it. Two collectors
 * in one process (tests, benchmarks) never see each other's entries or evict them, and a version
 * need only be unique within its engine.
 */
export function perEngine<T>(make: () => T): (engine: Engine) => T {
  const of = new WeakMap<Engine, T>();
  return (engine) => {
    let state = of.get(engine);
    if (state === undefined) of.set(engine, (state = make()));
    return state;
  };
}
