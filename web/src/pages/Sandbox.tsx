import { useState } from "react";
import { api, type CapturedMessage, formatTime, type Page, type SandboxClock, type Task } from "../api.ts";
import { Badge, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";

const STEPS = ["1h", "4h", "1d", "3d", "1w"] as const;

export function SandboxPage() {
  const clock = useLoad<SandboxClock>("/v1/sandbox/clock");
  const messages = useLoad<Page<CapturedMessage>>("/v1/sandbox/messages?limit=100");
  const tasks = useLoad<Page<Task>>("/v1/tasks?status=open&limit=100");
  const [by, setBy] = useState<string>("1d");
  const [selected, setSelected] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);

  const advance = async () => {
    setBusy(true);
    try {
      const r = await api<{ to: string; messages_captured: number }>("POST", "/v1/sandbox/clock/advance", {
        by,
      });
      setStatus(`Advanced to ${formatTime(r.to)}; ${r.messages_captured} message(s) captured.`);
      clock.reload();
      messages.reload();
      tasks.reload();
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const rows = messages.data?.data;
  const open = rows?.find((m) => m.id === selected) ?? rows?.[0];
  return (
    <>
      <h1>Sandbox</h1>
      <section aria-labelledby="clock-heading">
        <h2 id="clock-heading">Test clock</h2>
        {clock.error && <p role="alert">{clock.error.message}</p>}
        {clock.data && (
          <p>
            <Badge tone={clock.data.mode === "sandbox" ? "warn" : "good"}>{clock.data.mode}</Badge> Now:{" "}
            <strong data-testid="clock-now">{formatTime(clock.data.now, clock.data.time_zone)}</strong> (
            {clock.data.time_zone}){clock.data.test_clock ? "" : " — system time until you advance"}
          </p>
        )}
        <div className="row-actions">
          <label>
            Advance by
            <select value={by} onChange={(e) => setBy(e.target.value)}>
              {STEPS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={advance} disabled={busy} aria-busy={busy}>
            Advance
          </button>
          <output>{status}</output>
        </div>
      </section>
      <section aria-labelledby="captured-heading">
        <h2 id="captured-heading">Captured messages</h2>
        <ListState
          loaded={messages}
          rows={rows}
          empty="Nothing captured yet. Enroll a contact and advance the clock."
        >
          {(list) => (
            <div className="split">
              <ul aria-label="Captured messages">
                {list.map((m) => (
                  <li key={m.id}>
                    <button
                      type="button"
                      className={m.id === open?.id ? "" : "outline"}
                      aria-pressed={m.id === open?.id}
                      onClick={() => setSelected(m.id)}
                    >
                      <Badge>{m.channel}</Badge> {m.subject ?? "(no subject)"} → {m.to}
                    </button>
                    <br />
                    <small>{formatTime(m.captured_at)}</small>
                  </li>
                ))}
              </ul>
              {open && (
                <article data-testid="captured-message">
                  <header>
                    <strong>{open.subject ?? "(no subject)"}</strong>
                    <br />
                    <small>
                      From {open.from} to {open.to}
                    </small>
                  </header>
                  {open.html && (
                    <>
                      <h3>HTML</h3>
                      <iframe
                        title={`HTML of ${open.subject ?? "message"}`}
                        className="message-html"
                        sandbox=""
                        srcDoc={previewHtml(open.html)}
                      />
                    </>
                  )}
                  <h3>Text</h3>
                  <pre style={{ whiteSpace: "pre-wrap" }}>{open.text}</pre>
                </article>
              )}
            </div>
          )}
        </ListState>
      </section>
      <section aria-labelledby="tasks-heading">
        <h2 id="tasks-heading">Open tasks for reps</h2>
        <ListState loaded={tasks} rows={tasks.data?.data} empty="No open tasks.">
          {(list) => (
            <ul data-testid="sandbox-tasks">
              {list.map((t) => (
                <li key={t.id}>
                  <Badge>{t.type}</Badge> {t.title} <small>due {formatTime(t.due_at)}</small>
                  {t.note && (
                    <>
                      <br />
                      <small>{t.note}</small>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
        </ListState>
      </section>
    </>
  );
}

/**
 * The preview must not load remote images: a tracked message's open pixel would otherwise record
 * the person looking at the sandbox as the prospect opening the email.
 */
function previewHtml(html: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">${html}`;
}
