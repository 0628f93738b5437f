import { useState } from 'react';

/** Sign-in with the API's credentials: an API key (dpk_…), a JWT or the admin token of `npm start`. */
export function SignIn({
  error,
  onSignIn,
}: {
  error?: string | undefined;
  onSignIn(credential: string): Promise<void>;
}) {
  const [credential, setCredential] = useState('');
  const [problem, setProblem] = useState(error);
  const [busy, setBusy] = useState(false);
  return (
    <main className="sign-in">
      <h1>Doppel console</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          onSignIn(credential.trim()).catch((e: Error) => {
            setProblem(e.message);
            setBusy(false);
          });
        }}
      >
        <label htmlFor="credential">API key or token</label>
        <textarea
          id="credential"
          value={credential}
          onChange={(e) => setCredential(e.target.value)}
          rows={4}
          required
          autoFocus
          spellCheck={false}
        />
        <p className="hint">
          An API key (dpk_…), a JWT from your identity provider, or the admin token that{' '}
          <code>npm start</code> writes to <code>.data/admin-token</code>. It is kept in this tab
          only.
        </p>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy || !credential.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
