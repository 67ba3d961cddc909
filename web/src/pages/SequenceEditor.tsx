import { type FormEvent, useEffect, useRef, useState } from "react";
import { useLocation } from "wouter";
import { ApiError, api, type Contact, type Page } from "../api.ts";
import { Badge } from "../components.tsx";
import { unsavedGuard, useLoad } from "../hooks.ts";

interface Located {
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}
interface Check {
  ok: boolean;
  errors: Located[];
  warnings: Array<Located & { code: string }>;
  sequence: {
    id: string;
    name: string;
    steps: Array<{ id: string; kind: string; wait: string; line: number | null; summary: string }>;
  } | null;
}
interface SequenceDetail {
  id: string;
  key: string;
  name: string;
  status: string;
  current_version: number;
  source?: string | null;
}
interface Simulation {
  truncated: boolean;
  paths: Array<{
    name: string;
    outcome: string;
    touches: Array<{
      at: string;
      step: string;
      channel: string;
      subject?: string;
      note?: string;
      held?: string;
    }>;
  }>;
}

const TEMPLATE = `id: my-sequence
name: My sequence
steps:
  - id: intro
    email:
      subject: "Quick question, {{ contact.first_name | default: 'there' }}"
      body: |
        Hi {{ contact.first_name | default: "there" }},

        ...
  - id: follow-up
    wait: 2d
    email:
      thread: true
      body: |
        Bumping this up in case it got buried.
`;

export function SequenceEditorPage({ id }: { id: string | null }) {
  const [, navigate] = useLocation();
  const loaded = useLoad<SequenceDetail>(id ? `/v1/sequences/${encodeURIComponent(id)}` : null);
  const [source, setSource] = useState<string | null>(id ? null : TEMPLATE);
  const [saved, setSaved] = useState<string | null>(id ? null : "");
  const [check, setCheck] = useState<Check>();
  const [message, setMessage] = useState<{ text: string; tone: "good" | "bad" }>();
  const [busy, setBusy] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);

  useEffect(() => {
    if (loaded.data && source === null) {
      setSource(loaded.data.source ?? "");
      setSaved(loaded.data.source ?? "");
    }
  }, [loaded.data, source]);

  const dirty = source !== null && saved !== null && source !== saved;
  useEffect(() => {
    unsavedGuard.dirty = dirty;
    return () => {
      unsavedGuard.dirty = false;
    };
  }, [dirty]);

  // Validate as you type (debounced), without saving.
  useEffect(() => {
    if (source === null) return;
    const timer = setTimeout(() => {
      api<Check>("POST", "/v1/sequences/validate", { source })
        .then(setCheck)
        .catch(() => undefined);
    }, 350);
    return () => clearTimeout(timer);
  }, [source]);

  const save = async () => {
    if (source === null) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const result = await api<SequenceDetail>("POST", "/v1/sequences", { source });
      setSaved(source);
      unsavedGuard.dirty = false;
      setMessage({ text: `Saved version ${result.current_version}.`, tone: "good" });
      if (id !== result.key) navigate(`/sequences/${result.key}`, { replace: true });
      else loaded.reload();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0)
        setCheck({
          ok: false,
          errors: e.errors.map((x) => ({
            line: x.line ?? 1,
            column: x.column ?? 1,
            path: x.field ?? "",
            message: x.message,
          })),
          warnings: [],
          sequence: null,
        });
      setMessage({ text: e instanceof Error ? e.message : String(e), tone: "bad" });
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (action: "activate" | "pause" | "archive") => {
    if (!id) return;
    try {
      await api("POST", `/v1/sequences/${encodeURIComponent(id)}/${action}`);
      setMessage({ text: `Sequence ${action === "activate" ? "activated" : `${action}d`}.`, tone: "good" });
      loaded.reload();
    } catch (e) {
      setMessage({ text: e instanceof Error ? e.message : String(e), tone: "bad" });
    }
  };

  const jumpTo = (line: number) => {
    const el = textarea.current;
    if (!el || source === null) return;
    const lines = source.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };

  if (id && loaded.error) return <p role="alert">Could not load the sequence: {loaded.error.message}</p>;
  if (source === null) return <p aria-busy="true">Loading…</p>;

  const errorLines = new Set((check?.errors ?? []).map((e) => e.line));
  const lineCount = source.split("\n").length;
  const detail = loaded.data;

  return (
    <>
      <h1>
        {detail ? detail.name : "New sequence"}{" "}
        {detail && <Badge tone={detail.status === "active" ? "good" : undefined}>{detail.status}</Badge>}
        {dirty && <Badge tone="warn">unsaved</Badge>}
      </h1>
      <div className="row-actions">
        <button type="button" onClick={save} disabled={busy || !dirty} aria-busy={busy}>
          Save
        </button>
        {detail && detail.status !== "active" && (
          <button type="button" className="secondary" onClick={() => setStatus("activate")} disabled={dirty}>
            Activate
          </button>
        )}
        {detail?.status === "active" && (
          <button type="button" className="secondary" onClick={() => setStatus("pause")}>
            Pause
          </button>
        )}
        {detail && detail.status !== "archived" && (
          <button type="button" className="outline secondary" onClick={() => setStatus("archive")}>
            Archive
          </button>
        )}
        {message && (
          <output
            className={message.tone === "bad" ? "error" : undefined}
            role={message.tone === "bad" ? "alert" : "status"}
          >
            {message.text}
          </output>
        )}
      </div>
      <div className="split">
        <section aria-labelledby="yaml-label">
          <label id="yaml-label" htmlFor="yaml">
            Sequence YAML
          </label>
          <div className="editor">
            <pre className="gutter" ref={gutter} aria-hidden="true">
              {Array.from({ length: lineCount }, (_, i) => i + 1).map((n) => (
                <span key={n} className={errorLines.has(n) ? "bad-line" : undefined}>
                  {n}
                  {"\n"}
                </span>
              ))}
            </pre>
            <textarea
              id="yaml"
              ref={textarea}
              spellCheck={false}
              value={source}
              aria-invalid={check ? !check.ok : undefined}
              aria-describedby="yaml-problems"
              onScroll={(e) => {
                if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
              }}
              onChange={(e) => setSource(e.target.value)}
            />
          </div>
          <div id="yaml-problems" aria-live="polite">
            {check && check.errors.length > 0 && (
              <ul className="error" data-testid="validation-errors">
                {check.errors.map((e) => (
                  <li key={`${e.line}:${e.column}:${e.message}`}>
                    <button type="button" className="outline secondary" onClick={() => jumpTo(e.line)}>
                      Line {e.line}
                    </button>{" "}
                    {e.path && <code>{e.path}</code>} {e.message}
                    {e.hint && <em> ({e.hint})</em>}
                  </li>
                ))}
              </ul>
            )}
            {check?.ok && <p className="badge good">No errors</p>}
            {check && check.warnings.length > 0 && (
              <ul>
                {check.warnings.map((w) => (
                  <li key={`${w.line}:${w.code}`}>
                    <Badge tone="warn">warning</Badge> line {w.line}: {w.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </section>
        <section aria-labelledby="steps-heading">
          <h2 id="steps-heading">Steps</h2>
          {check?.sequence ? (
            <ol className="timeline" data-testid="step-timeline">
              {check.sequence.steps.map((s) => (
                <li key={s.id}>
                  <small>{s.wait}</small>
                  <br />
                  <Badge>{s.kind}</Badge> <strong>{s.id}</strong>
                  <br />
                  <span>{s.summary}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="empty">Fix the errors to see the steps.</p>
          )}
          {detail && <Preview sequenceKey={detail.key} />}
          {detail && <Enroll sequenceKey={detail.key} active={detail.status === "active"} />}
          {detail && <Versions sequenceKey={detail.key} />}
        </section>
      </div>
    </>
  );
}

function Preview({ sequenceKey }: { sequenceKey: string }) {
  const contacts = useLoad<Page<Contact>>("/v1/contacts?limit=100");
  const [contactId, setContactId] = useState("");
  const [result, setResult] = useState<Simulation>();
  const [error, setError] = useState<string>();
  const run = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setResult(
        await api<Simulation>(
          "POST",
          `/v1/sequences/${encodeURIComponent(sequenceKey)}/simulate`,
          contactId ? { contact_id: contactId } : {},
        ),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">Path preview</h2>
      <form onSubmit={run} className="row-actions">
        <label>
          Preview for
          <select value={contactId} onChange={(e) => setContactId(e.target.value)}>
            <option value="">a sample contact</option>
            {contacts.data?.data.map((c) => (
              <option key={c.id} value={c.id}>
                {c.email}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Preview paths</button>
      </form>
      <p>
        <small>Previews the saved version.</small>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <div data-testid="path-preview">
          <p>
            {result.paths.length} path{result.paths.length === 1 ? "" : "s"}
          </p>
          {result.paths.map((p, i) => (
            <details key={p.name} open={i === 0}>
              <summary>
                {p.name} <Badge>{p.outcome}</Badge>
              </summary>
              <ol>
                {p.touches.map((t) => (
                  <li key={`${t.step}-${t.at}`}>
                    <time dateTime={t.at}>{t.at.replace("T", " ").slice(0, 16)}</time>{" "}
                    <Badge>{t.channel}</Badge> {t.subject ?? t.note?.split("\n")[0] ?? t.step}
                    {t.held && <Badge tone="warn">held: {t.held}</Badge>}
                  </li>
                ))}
              </ol>
            </details>
          ))}
          {result.truncated && <p>More paths exist than shown.</p>}
        </div>
      )}
    </section>
  );
}

interface EnrollResult {
  results: Array<{ status: string; reason: string | null; contact_id: string | null }>;
}

function Enroll({ sequenceKey, active }: { sequenceKey: string; active: boolean }) {
  const [email, setEmail] = useState("");
  const [outcome, setOutcome] = useState<{ text: string; bad: boolean }>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const r = await api<EnrollResult>("POST", "/v1/enrollments", { sequence_id: sequenceKey, email });
      const first = r.results[0];
      setOutcome({
        text: first
          ? `${email}: ${first.status}${first.reason ? ` (${first.reason})` : ""}`
          : "nothing happened",
        bad: first?.status !== "enrolled",
      });
    } catch (e) {
      setOutcome({ text: e instanceof Error ? e.message : String(e), bad: true });
    }
  };
  return (
    <section aria-labelledby="enroll-heading">
      <h2 id="enroll-heading">Enroll a contact</h2>
      {!active && <p className="empty">Activate the sequence to enroll contacts.</p>}
      <form onSubmit={submit} className="row-actions">
        <label>
          Contact email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <button type="submit" disabled={!active}>
          Enroll
        </button>
      </form>
      {outcome && (
        <p role={outcome.bad ? "alert" : "status"} className={outcome.bad ? "error" : undefined}>
          {outcome.text}
        </p>
      )}
    </section>
  );
}

function Versions({ sequenceKey }: { sequenceKey: string }) {
  const versions = useLoad<{
    data: Array<{ id: string; version: number; created_at: string; created_by: string }>;
  }>(`/v1/sequences/${encodeURIComponent(sequenceKey)}/versions`);
  return (
    <details>
      <summary>Versions</summary>
      <ul>
        {versions.data?.data.map((v) => (
          <li key={v.id}>
            v{v.version} · {v.created_at.slice(0, 16).replace("T", " ")} · {v.created_by}
          </li>
        ))}
      </ul>
    </details>
  );
}
