import { createContext, useContext, type ReactNode } from 'react';
import type { ReactNativeClient } from '../init.js';

const TallyContext = createContext<ReactNativeClient | null>(null);

/** Makes a client (from `init`) available to `useTally`, `useScreenTracking` and `<Tracked>`. */
export function TallyProvider({ client, children }: { client: ReactNativeClient; children?: ReactNode }) {
  return <TallyContext.Provider value={client}>{children}</TallyContext.Provider>;
}

/** The client of the nearest `TallyProvider`. Throws outside one: a missing provider is a wiring bug. */
export function useTally(): ReactNativeClient {
  const client = useContext(TallyContext);
  if (!client) throw new Error('useTally() must be used inside <TallyProvider client={...}>');
  return client;
}
