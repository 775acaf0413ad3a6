import type { Range, State } from './state.js';

export interface Info {
  time_zone: string;
  today: string;
  now: string;
  first_day: string | null;
  last_day: string | null;
}

/** What every view gets: the URL's state, the collector's facts, and a way to change the state. */
export interface ViewContext {
  state: State;
  info: Info;
  range: Range;
  /** Changes the state (and the URL), then re-renders. */
  go(next: Partial<State>): void;
  /** Aborted when the view is left; also stops timers. */
  signal: AbortSignal;
  /** Registered cleanups run when the view is left (charts, timers). */
  onLeave(fn: () => void): void;
}
