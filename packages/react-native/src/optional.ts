/** The value of `fn`, or undefined when it throws (a module that is not installed, a missing API). */
export const optional = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};
