import { createContext, use, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, csrf, unwrap, type Me } from '../api/client';
import { discardWizardDrafts } from '../routes/wizard/wizard-draft';

export interface Session {
  me: Me | null;
  loading: boolean;
  logIn(email: string, password: string): Promise<Me>;
  logOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export const VENDOR_ROLES = [
  'cam',
  'sales',
  'order_desk',
  'finance',
  'provisioning',
  'vendor_admin',
] as const;
export const PARTNER_ROLES = ['partner_user', 'partner_admin'] as const;

export function isPartner(me: Me | null): boolean {
  return !!me?.partner;
}

export function hasRole(me: Me | null, ...roles: readonly Me['roles'][number][]): boolean {
  return !!me && me.roles.some((r) => roles.includes(r));
}

/**
 * The logged-in user, from GET /session (the session cookie survives a reload; `user: null` →
 * nobody). Not GET /me: its 401 for a visitor who is not logged in would be a failed request in
 * the console of everyone who opens the log-in page.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => unwrap(await api.GET('/api/v1/session')).user,
    staleTime: 60_000,
  });
  const value = useMemo<Session>(
    () => ({
      me: me.data ?? null,
      loading: me.isPending,
      async logIn(email, password) {
        const result = await api.POST('/api/v1/session', { body: { email, password } });
        const data = unwrap(result);
        csrf.set(data.csrfToken);
        // Another user's order drafts go with their session (the same user's stay: a lapsed
        // session logged into again gives the draft back).
        discardWizardDrafts(data.user.id);
        // Drop the other user's cached data; keep the observed `me` query and set it.
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        queryClient.setQueryData(['me'], data.user);
        return data.user;
      },
      async logOut() {
        try {
          await api.DELETE('/api/v1/session');
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
        }
        csrf.set(null);
        discardWizardDrafts();
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        queryClient.setQueryData(['me'], null);
      },
    }),
    [me.data, me.isPending, queryClient],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = use(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The logged-in user; only used under routes that require one. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('Not logged in');
  return me;
}
