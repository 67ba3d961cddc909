import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Route, Switch, useLocation } from "wouter";
import { api, type SessionInfo, sessionEvents } from "./api.ts";
import { GuardedLink } from "./components.tsx";
import { confirmLeave } from "./hooks.ts";
import { ContactsPage, ContactTimelinePage } from "./pages/Contacts.tsx";
import { InboxPage } from "./pages/Inbox.tsx";
import { LoginPage } from "./pages/Login.tsx";
import { SandboxPage } from "./pages/Sandbox.tsx";
import { SequenceEditorPage } from "./pages/SequenceEditor.tsx";
import { SequencesPage } from "./pages/Sequences.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { TodayPage } from "./pages/Today.tsx";

// Chart.js is only needed on Analytics: load it on the way there, not on first load.
const AnalyticsPage = lazy(() => import("./pages/Analytics.tsx"));

const NAV = [
  ["/", "Today"],
  ["/sequences", "Sequences"],
  ["/contacts", "Contacts"],
  ["/inbox", "Inbox"],
  ["/analytics", "Analytics"],
  ["/sandbox", "Sandbox"],
  ["/settings", "Settings"],
] as const;

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [location, navigate] = useLocation();

  // Set once someone signs in: a session check still in flight must not sign them out again.
  const signedIn = useRef(false);
  useEffect(() => {
    let current = true;
    sessionEvents.onUnauthorized = () => {
      signedIn.current = false;
      setSession(null);
    };
    api<SessionInfo>("GET", "/v1/session")
      .then((s) => current && setSession(s))
      .catch(() => current && !signedIn.current && setSession(null));
    return () => {
      current = false;
    };
  }, []);

  // After in-app navigation, move focus to the page so screen readers and Tab start there.
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each location change
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById("main")?.focus();
  }, [location]);

  useEffect(() => {
    const title = NAV.find(([href]) => (href === "/" ? location === "/" : location.startsWith(href)))?.[1];
    document.title = title ? `${title} · Nudge` : "Nudge";
  }, [location]);

  if (session === undefined) return <p aria-busy="true">Loading…</p>;
  if (session === null || location === "/login")
    return (
      <LoginPage
        onSignedIn={(s) => {
          signedIn.current = true;
          setSession(s);
          navigate("/", { replace: true });
        }}
      />
    );

  const signOut = async () => {
    if (!confirmLeave()) return;
    await api("DELETE", "/v1/session").catch(() => undefined);
    signedIn.current = false;
    setSession(null);
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app container-fluid">
        <nav aria-label="Main">
          <ul>
            <li>
              <strong>Nudge</strong>
            </li>
          </ul>
          <ul>
            {NAV.map(([href, label]) => {
              const current = href === "/" ? location === "/" : location.startsWith(href);
              return (
                <li key={href}>
                  <GuardedLink href={href} aria-current={current ? "page" : undefined}>
                    {label}
                  </GuardedLink>
                </li>
              );
            })}
            <li>
              <button type="button" className="outline secondary" onClick={signOut}>
                Sign out {session.user ? `(${session.user.name})` : ""}
              </button>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Switch>
            <Route path="/" component={TodayPage} />
            <Route path="/sequences" component={SequencesPage} />
            <Route path="/sequences/new">{() => <SequenceEditorPage id={null} />}</Route>
            <Route path="/sequences/:id">{(p) => <SequenceEditorPage id={p.id} />}</Route>
            <Route path="/contacts" component={ContactsPage} />
            <Route path="/contacts/:id">{(p) => <ContactTimelinePage id={p.id} />}</Route>
            <Route path="/inbox" component={InboxPage} />
            <Route path="/analytics">{() => <AnalyticsPage />}</Route>
            <Route path="/analytics/:id">{(p) => <AnalyticsPage id={p.id} />}</Route>
            <Route path="/sandbox" component={SandboxPage} />
            <Route path="/settings">{() => <SettingsPage session={session} />}</Route>
            <Route>
              <h1>Not found</h1>
              <p>
                <GuardedLink href="/">Back to Today</GuardedLink>
              </p>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </>
  );
}
