import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, type SessionInfo } from "../api.ts";

/** Email + password, or the one-time link `nudge start` prints (`/login#token=…`). */
export function LoginPage({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
    if (!token) return;
    history.replaceState(null, "", "/login");
    setBusy(true);
    api<SessionInfo>("POST", "/v1/session", { token })
      .then(onSignedIn)
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  }, [onSignedIn]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api<SessionInfo>("POST", "/v1/session", { email, password }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="container" style={{ maxWidth: "28rem" }}>
      <h1>Sign in to Nudge</h1>
      <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p id="login-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" aria-busy={busy} disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        <small>
          First time? <code>nudge start</code> prints a one-time sign-in link; set a password under Settings.
        </small>
      </p>
    </main>
  );
}
