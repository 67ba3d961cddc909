import { useState } from "react";
import {
  api,
  type Contact,
  formatTime,
  type InboxItem,
  type Page,
  type SandboxClock,
  type Task,
} from "../api.ts";
import { Badge, GuardedLink, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";

const NEXT_HOURS = 24;

interface Enrollment {
  id: string;
  contact_id: string;
  sequence_id: string;
  current_step: string | null;
  next_run_at: string | null;
  hold_reason: string | null;
}

const OUTCOMES = ["connected", "meeting_booked", "no_answer", "left_voicemail", "wrong_number", "skip"];

export function TodayPage() {
  const clock = useLoad<SandboxClock>("/v1/sandbox/clock");
  const now = clock.data?.now;
  const tasks = useLoad<Page<Task>>(
    now ? `/v1/tasks?status=open&limit=200&due_before=${encodeURIComponent(now)}` : null,
  );
  const upcoming = useLoad<Page<Task>>("/v1/tasks?status=open&limit=200");
  const replies = useLoad<Page<InboxItem>>("/v1/inbox?class=human_reply&limit=20");
  const waiting = replies.data?.data.filter((r) => r.handoff_task?.status === "open");
  const enrollments = useLoad<Page<Enrollment>>("/v1/enrollments?status=active&limit=200");
  const zone = clock.data?.time_zone;
  const held = enrollments.data?.data.filter((e) => e.hold_reason !== null);
  const soon = now
    ? enrollments.data?.data.filter(
        (e) =>
          e.hold_reason === null &&
          e.next_run_at !== null &&
          Date.parse(e.next_run_at) <= Date.parse(now) + NEXT_HOURS * 3_600_000,
      )
    : undefined;
  const dueIds = new Set(tasks.data?.data.map((t) => t.id));
  const later = upcoming.data?.data.filter((t) => !dueIds.has(t.id));
  const reload = () => {
    enrollments.reload();
    tasks.reload();
    upcoming.reload();
    replies.reload();
  };

  return (
    <>
      <h1>Today</h1>
      {now && (
        <p>
          <small>Workspace time: {formatTime(now, clock.data?.time_zone)}</small>
        </p>
      )}
      <section aria-labelledby="due-heading">
        <h2 id="due-heading">Tasks due now</h2>
        <ListState loaded={tasks} rows={tasks.data?.data} empty="Nothing due. Nice.">
          {(rows) => (
            <div data-testid="tasks-due">
              {rows.map((t) => (
                <TaskCard key={t.id} task={t} zone={zone} onDone={reload} />
              ))}
            </div>
          )}
        </ListState>
      </section>
      <section aria-labelledby="replies-heading">
        <h2 id="replies-heading">Replies waiting for you</h2>
        <ListState loaded={replies} rows={waiting} empty="No replies waiting.">
          {(rows) => (
            <ul>
              {rows.map((r) => (
                <li key={r.id}>
                  <Badge>{r.intent ?? r.class}</Badge> {r.contact?.name ?? r.from}: {r.snippet}{" "}
                  <GuardedLink href="/inbox">Open inbox</GuardedLink>
                </li>
              ))}
            </ul>
          )}
        </ListState>
      </section>
      <section aria-labelledby="held-heading">
        <h2 id="held-heading">Held touches that need a fix</h2>
        <ListState loaded={enrollments} rows={held} empty="Nothing is held.">
          {(rows) => (
            <ul>
              {rows.map((e) => (
                <li key={e.id}>
                  <Badge tone="warn">{e.hold_reason}</Badge> step <code>{e.current_step}</code> ·{" "}
                  <GuardedLink href={`/contacts/${e.contact_id}`}>contact timeline</GuardedLink>
                </li>
              ))}
            </ul>
          )}
        </ListState>
      </section>
      <section aria-labelledby="soon-heading">
        <h2 id="soon-heading">Going out in the next {NEXT_HOURS} hours</h2>
        <ListState loaded={enrollments} rows={soon} empty="Nothing scheduled in the next hours.">
          {(rows) => (
            <ul>
              {rows.map((e) => (
                <li key={e.id}>
                  {e.next_run_at && formatTime(e.next_run_at, zone)} · step <code>{e.current_step}</code> ·{" "}
                  <GuardedLink href={`/contacts/${e.contact_id}`}>contact timeline</GuardedLink>
                </li>
              ))}
            </ul>
          )}
        </ListState>
      </section>
      <section aria-labelledby="later-heading">
        <h2 id="later-heading">Coming up</h2>
        <ListState loaded={upcoming} rows={later} empty="Nothing else scheduled.">
          {(rows) => (
            <ul>
              {rows.map((t) => (
                <li key={t.id}>
                  <Badge>{t.type}</Badge> {t.title} · due {formatTime(t.due_at, zone)}
                </li>
              ))}
            </ul>
          )}
        </ListState>
      </section>
    </>
  );
}

function TaskCard({ task, zone, onDone }: { task: Task; zone: string | undefined; onDone: () => void }) {
  const contact = useLoad<Contact>(`/v1/contacts/${encodeURIComponent(task.contact_id)}`);
  const [outcome, setOutcome] = useState("connected");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const phone = (task.data.phone as string | undefined) ?? contact.data?.phone;
  const complete = async () => {
    try {
      await api("POST", `/v1/tasks/${task.id}/complete`, { outcome, ...(note ? { note } : {}) });
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const outcomeId = `outcome-${task.id}`;
  return (
    <article aria-labelledby={`title-${task.id}`}>
      <header>
        <Badge>{task.type}</Badge> <strong id={`title-${task.id}`}>{task.title}</strong>
        <br />
        <small>
          Due {formatTime(task.due_at, zone)}
          {task.window_end_at && <> · call window until {formatTime(task.window_end_at, zone)}</>}
          {phone && (
            <>
              {" "}
              · <a href={`tel:${phone}`}>{phone}</a>
            </>
          )}{" "}
          · <GuardedLink href={`/contacts/${task.contact_id}`}>timeline</GuardedLink>
        </small>
      </header>
      {task.note && <pre style={{ whiteSpace: "pre-wrap" }}>{task.note}</pre>}
      <div className="row-actions">
        <label htmlFor={outcomeId}>Outcome</label>
        <select id={outcomeId} value={outcome} onChange={(e) => setOutcome(e.target.value)}>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o.replaceAll("_", " ")}
            </option>
          ))}
        </select>
        <input
          aria-label="Note"
          placeholder="Note (optional)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <button type="button" onClick={complete}>
          Complete
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </article>
  );
}
