import { useState } from "react";
import { api, formatTime, type InboxItem, type Page } from "../api.ts";
import { Badge, GuardedLink, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import { TimelineList } from "./Contacts.tsx";

const INTENTS = [
  "interested",
  "meeting_request",
  "not_interested",
  "not_now",
  "referral",
  "question",
  "other",
];

function tone(intent: string | null): string | undefined {
  if (intent === "interested" || intent === "meeting_request") return "good";
  if (intent === "not_interested") return "bad";
  return undefined;
}

export function InboxPage() {
  const [filter, setFilter] = useState("human_reply");
  const inbox = useLoad<Page<InboxItem>>(`/v1/inbox?limit=100${filter ? `&class=${filter}` : ""}`);
  const [status, setStatus] = useState<string>();

  const act = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
      setStatus(label);
      inbox.reload();
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <>
      <h1>Inbox</h1>
      <label>
        Show
        <select value={filter} onChange={(e) => setFilter(e.target.value)}>
          <option value="human_reply">Replies</option>
          <option value="auto_reply">Auto-replies</option>
          <option value="bounce_hard">Hard bounces</option>
          <option value="unsubscribe_request">Unsubscribe requests</option>
          <option value="">Everything</option>
        </select>
      </label>
      <output>{status}</output>
      <ListState loaded={inbox} rows={inbox.data?.data} empty="No messages here.">
        {(rows) => (
          <div data-testid="inbox">
            {rows.map((m) => (
              <article key={m.id}>
                <header>
                  <Badge tone={tone(m.intent)}>{(m.intent ?? m.class).replaceAll("_", " ")}</Badge>{" "}
                  {m.contact ? (
                    <GuardedLink href={`/contacts/${m.contact.id}`}>{m.contact.name}</GuardedLink>
                  ) : (
                    m.from
                  )}{" "}
                  · <strong>{m.subject}</strong> · <small>{formatTime(m.received_at)}</small>
                </header>
                <blockquote>{m.snippet}</blockquote>
                <small>Why: {m.rule}</small>
                {m.contact && <ThreadDetails contactId={m.contact.id} />}
                {m.handoff_task && (
                  <p>
                    Handoff task:{" "}
                    <Badge tone={m.handoff_task.status === "open" ? "warn" : "good"}>
                      {m.handoff_task.status}
                    </Badge>
                  </p>
                )}
                <footer className="row-actions">
                  {m.contact && (
                    <button
                      type="button"
                      onClick={() =>
                        act("Meeting booked.", () =>
                          api("POST", "/v1/events", { type: "meeting.booked", contact_id: m.contact?.id }),
                        )
                      }
                    >
                      Meeting booked
                    </button>
                  )}
                  {m.handoff_task?.status === "open" && (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() =>
                          act("Handled.", () =>
                            api("POST", `/v1/tasks/${m.handoff_task?.id}/complete`, { outcome: "connected" }),
                          )
                        }
                      >
                        Mark handled
                      </button>
                      <button
                        type="button"
                        className="outline secondary"
                        onClick={() =>
                          act("Marked not interested.", async () => {
                            await api("PATCH", `/v1/inbox/${m.id}`, { intent: "not_interested" });
                            await api("POST", `/v1/tasks/${m.handoff_task?.id}/complete`, {
                              outcome: "skip",
                              note: "not interested",
                            });
                          })
                        }
                      >
                        Not interested
                      </button>
                    </>
                  )}
                  {m.contact && <Reengage id={m.id} onDone={(text) => act(text, async () => undefined)} />}
                  <label>
                    <span className="visually-hidden">Correct the label of this reply</span>
                    <select
                      aria-label="Correct the label"
                      value=""
                      onChange={(e) =>
                        e.target.value &&
                        act("Label corrected.", () =>
                          api("PATCH", `/v1/inbox/${m.id}`, { intent: e.target.value }),
                        )
                      }
                    >
                      <option value="">Correct the label…</option>
                      {INTENTS.map((i) => (
                        <option key={i} value={i}>
                          {i.replaceAll("_", " ")}
                        </option>
                      ))}
                    </select>
                  </label>
                </footer>
              </article>
            ))}
          </div>
        )}
      </ListState>
    </>
  );
}

function Reengage({ id, onDone }: { id: string; onDone: (text: string) => void }) {
  const [days, setDays] = useState("30");
  const [error, setError] = useState<string>();
  const run = async () => {
    try {
      const r = await api<{ due_at: string }>("POST", `/v1/inbox/${id}/reengage`, { days: Number(days) });
      onDone(`Re-engagement task due ${formatTime(r.due_at)}.`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <select aria-label="Re-engage after" value={days} onChange={(e) => setDays(e.target.value)}>
        {[7, 14, 30, 60, 90].map((d) => (
          <option key={d} value={d}>
            {d} days
          </option>
        ))}
      </select>
      <button type="button" className="outline" onClick={run}>
        Re-engage later
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  );
}

/** The thread and timeline behind a reply, loaded when the rep opens it. */
function ThreadDetails({ contactId }: { contactId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Thread and timeline</summary>
      {open && <TimelineList id={contactId} />}
    </details>
  );
}
