// A stand-in for the `react-native` module in the Hermes bundle: just what the SDK reads. The real
// module needs the native runtime; these are plain objects with the same shapes.
const listeners = new Set<(state: string) => void>();

export const AppState = {
  currentState: 'active',
  addEventListener(_type: 'change', fn: (state: string) => void) {
    listeners.add(fn);
    return { remove: () => void listeners.delete(fn) };
  },
  /** Test hook: what the OS does when the user leaves or returns. */
  emit(state: string) {
    AppState.currentState = state;
    for (const fn of [...listeners]) fn(state);
  },
};

export const Platform = { OS: 'android', Version: 34 };

export const Dimensions = { get: (_dim?: 'screen' | 'window') => ({ width: 411.4, height: 914.3, scale: 2.625, fontScale: 1 }) };
