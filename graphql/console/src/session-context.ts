import { createContext, useContext } from 'react';
import type { Me } from './session';

export interface Session {
  me: Me;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in caller; only pages inside the signed-in shell use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in shell');
  return session;
}
