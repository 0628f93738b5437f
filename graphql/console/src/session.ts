// Who is signed in: the credential (an API key, a JWT or the admin token of `npm start`) kept in
// sessionStorage (gone when the tab closes), and what the API says it is (the `me` query).
import { mayCall, type Principal, type Role } from '../../auth/roles';

const CREDENTIAL_KEY = 'doppel.credential';
const ME_KEY = 'doppel.me';

export interface Me {
  actor: string;
  role: Role;
  /** The tenant the credential acts in; null for a platform admin, who picks one. */
  tenantId: string | null;
  /** The installation's Temporal UI (base URL and namespace); null: the API was not told one. */
  temporalUi: { url: string; namespace: string } | null;
}

export const storedCredential = (): string | null => sessionStorage.getItem(CREDENTIAL_KEY);
export const storeCredential = (credential: string, me: Me) => {
  sessionStorage.setItem(CREDENTIAL_KEY, credential);
  sessionStorage.setItem(ME_KEY, JSON.stringify(me));
};
export const forgetCredential = () => {
  sessionStorage.removeItem(CREDENTIAL_KEY);
  sessionStorage.removeItem(ME_KEY);
};

/** What the API last said this tab's credential is (shown at once; checked again on load). */
export function storedMe(): Me | null {
  try {
    const me = JSON.parse(sessionStorage.getItem(ME_KEY) ?? 'null') as Me | null;
    return me && typeof me.actor === 'string' && typeof me.role === 'string' ? me : null;
  } catch {
    return null;
  }
}

export const sameMe = (a: Me, b: Me) =>
  a.actor === b.actor && a.role === b.role && a.tenantId === b.tenantId;

/** The API's Role enum (PLATFORM_ADMIN) as the role table spells it (platform-admin). */
const roleOf = (value: string) => value.toLowerCase().replace(/_/g, '-') as Role;

/** Asks the API who this credential is; throws the API's message when it is refused. */
export async function whoAmI(credential: string): Promise<Me> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query: '{ me { actor role tenantId temporalUi { url namespace } } }' }),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: { me: Omit<Me, 'role'> & { role: string } };
    errors?: { message: string }[];
  } | null;
  if (!body?.data?.me) {
    throw new Error(body?.errors?.[0]?.message ?? `the API answered ${response.status}`);
  }
  const { me } = body.data;
  return { ...me, role: roleOf(me.role) };
}

/** Whether the signed-in caller may call this root field: the API's own role table decides. */
export function may(me: Me, type: 'Query' | 'Mutation' | 'Subscription', field: string): boolean {
  const principal: Principal = { actor: me.actor, role: me.role, tenantId: me.tenantId };
  return mayCall(principal, type, field);
}
