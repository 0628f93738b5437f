// The console's shell: sign-in, then the pages of one tenant under /tenants/:tenantId.
import { useEffect, useMemo, useState } from 'react';
import { NavLink, Navigate, Route, Routes, useNavigate, useParams } from 'react-router';
import { Provider } from 'urql';
import { apiClient } from './client';
import { TENANT_PAGES } from './pages';
import {
  forgetCredential,
  sameMe,
  storeCredential,
  storedCredential,
  storedMe,
  whoAmI,
  type Me,
} from './session';
import { SessionContext, useSession } from './session-context';
import { SignIn } from './SignIn';

const LAST_TENANT_KEY = 'doppel.tenant';

type State =
  | { kind: 'checking'; credential: string }
  | { kind: 'signed-out'; error?: string }
  | { kind: 'signed-in'; credential: string; me: Me };

export function App() {
  const [state, setState] = useState<State>(() => {
    const credential = storedCredential();
    if (!credential) return { kind: 'signed-out' };
    // What the API said of this credential in this tab is shown at once, so the pages' own
    // queries start without waiting for the check below (which signs out if it is refused).
    const me = storedMe();
    return me ? { kind: 'signed-in', credential, me } : { kind: 'checking', credential };
  });
  const [checked, setChecked] = useState(false);

  // A stored credential is checked again on load: it may have expired or been revoked.
  const stored = state.kind === 'signed-out' ? null : state.credential;
  useEffect(() => {
    if (!stored || checked) return;
    let current = true;
    whoAmI(stored).then(
      (me) => {
        if (!current) return;
        setChecked(true);
        storeCredential(stored, me);
        setState((now) =>
          now.kind === 'signed-in' && sameMe(now.me, me)
            ? now
            : { kind: 'signed-in', credential: stored, me },
        );
      },
      (error: Error) => {
        forgetCredential();
        if (current) setState({ kind: 'signed-out', error: error.message });
      },
    );
    return () => {
      current = false;
    };
  }, [stored, checked]);

  if (state.kind === 'checking') return <p className="centered">Checking your credential…</p>;
  if (state.kind === 'signed-out') {
    return (
      <SignIn
        error={state.error}
        onSignIn={async (credential) => {
          const me = await whoAmI(credential);
          storeCredential(credential, me);
          setChecked(true);
          setState({ kind: 'signed-in', credential, me });
        }}
      />
    );
  }
  const signOut = () => {
    forgetCredential();
    setChecked(false);
    sessionStorage.removeItem(LAST_TENANT_KEY);
    setState({ kind: 'signed-out' });
  };
  return <SignedIn credential={state.credential} me={state.me} signOut={signOut} />;
}

function SignedIn({ credential, me, signOut }: { credential: string; me: Me; signOut(): void }) {
  const api = useMemo(() => apiClient(credential), [credential]);
  useEffect(() => () => api.dispose(), [api]);
  const session = useMemo(() => ({ me, signOut }), [me, signOut]);
  return (
    <SessionContext.Provider value={session}>
      <Provider value={api.client}>
        <Routes>
          <Route path="/tenants/:tenantId/*" element={<TenantShell />} />
          <Route path="*" element={<ChooseTenant />} />
        </Routes>
      </Provider>
    </SessionContext.Provider>
  );
}

/** A tenant's credential goes to its tenant; a platform admin picks one (the last one by default). */
function ChooseTenant() {
  const { me } = useSession();
  const tenant = me.tenantId ?? sessionStorage.getItem(LAST_TENANT_KEY);
  if (tenant) return <Navigate to={`/tenants/${encodeURIComponent(tenant)}`} replace />;
  return (
    <div className="page">
      <Header tenantId={null} />
      <main>
        <h1>Choose a tenant</h1>
        <p>You are an installation administrator: every tenant is yours to look at.</p>
      </main>
    </div>
  );
}

function TenantShell() {
  const { me } = useSession();
  const tenantId = useParams().tenantId ?? '';
  // A tenant's caller never sees another tenant's pages (the API would answer with nothing).
  if (me.tenantId && me.tenantId !== tenantId) {
    return <Navigate to={`/tenants/${encodeURIComponent(me.tenantId)}`} replace />;
  }
  if (!me.tenantId) sessionStorage.setItem(LAST_TENANT_KEY, tenantId);
  return (
    <div className="page">
      <Header tenantId={tenantId} />
      <TenantNav tenantId={tenantId} />
      <main>
        <Routes>
          {TENANT_PAGES.map((page) =>
            page.path === '' ? (
              <Route key="home" index element={page.element(tenantId)} />
            ) : (
              <Route key={page.path} path={page.path} element={page.element(tenantId)} />
            ),
          )}
          <Route path="*" element={<p>No such page.</p>} />
        </Routes>
      </main>
    </div>
  );
}

function TenantNav({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const home = `/tenants/${encodeURIComponent(tenantId)}`;
  return (
    <nav className="tenant-nav" aria-label="Pages">
      <ul>
        {TENANT_PAGES.filter((page) => page.listed(me) && !page.path.includes(':')).map((page) => (
          <li key={page.path}>
            <NavLink to={page.path ? `${home}/${page.path}` : home} end={page.path === ''}>
              {page.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Header({ tenantId }: { tenantId: string | null }) {
  const { me, signOut } = useSession();
  return (
    <header className="top">
      <strong className="brand">Doppel</strong>
      {me.tenantId ? (
        <span aria-label="Tenant">{me.tenantId}</span>
      ) : (
        <TenantSwitcher current={tenantId} />
      )}
      <span className="who">
        <span aria-label="Signed in as">{me.actor}</span>{' '}
        <span className="role" aria-label="Role">
          {me.role}
        </span>
      </span>
      <button type="button" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}

/** For installation admins: any tenant by its id (the API has no list of tenants). */
function TenantSwitcher({ current }: { current: string | null }) {
  const navigate = useNavigate();
  const [value, setValue] = useState(current ?? '');
  useEffect(() => setValue(current ?? ''), [current]);
  return (
    <form
      className="tenant-switcher"
      onSubmit={(event) => {
        event.preventDefault();
        const tenant = value.trim();
        if (tenant) void navigate(`/tenants/${encodeURIComponent(tenant)}`);
      }}
    >
      <label>
        Tenant{' '}
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="tenant id" />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}
