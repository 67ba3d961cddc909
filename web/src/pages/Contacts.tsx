import { type FormEvent, useState } from "react";
import { api, type Contact, contactName, formatTime, type Page, type TimelineItem } from "../api.ts";
import { Badge, GuardedLink, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";

interface ImportReport {
  created: number;
  updated: number;
  rejected: Array<{ row: number; field: string; message: string }>;
}

export function ContactsPage() {
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [tag, setTag] = useState("");
  const [tagQuery, setTagQuery] = useState("");
  const filter = `${query ? `&q=${encodeURIComponent(query)}` : ""}${tagQuery ? `&tag=${encodeURIComponent(tagQuery)}` : ""}`;
  const list = useLoad<Page<Contact>>(`/v1/contacts?limit=100${filter}`);
  return (
    <>
      <h1>Contacts</h1>
      <search>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(q);
            setTagQuery(tag.trim());
          }}
          className="row-actions"
        >
          <input
            type="search"
            aria-label="Search contacts by email or name"
            placeholder="Search by email or name"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <input
            aria-label="Filter by tag"
            placeholder="Tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <button type="submit">Search</button>
        </form>
      </search>
      <ListState
        loaded={list}
        rows={list.data?.data}
        empty={filter ? "No contacts match." : "No contacts yet."}
      >
        {(rows) => (
          <div className="scroll-x">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Title</th>
                  <th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <GuardedLink href={`/contacts/${c.id}`}>{contactName(c)}</GuardedLink>
                    </td>
                    <td>{c.email}</td>
                    <td>{c.title}</td>
                    <td>
                      {c.tags.map((t) => (
                        <Badge key={t}>{t}</Badge>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
      <Import onDone={list.reload} />
    </>
  );
}

function Import({ onDone }: { onDone: () => void }) {
  const [csv, setCsv] = useState("");
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setReport(await api<ImportReport>("POST", "/v1/contacts/import", csv, "text/csv"));
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <details>
      <summary>Import a CSV</summary>
      <form onSubmit={submit}>
        <label>
          CSV file
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setCsv(await file.text());
            }}
          />
        </label>
        <label>
          Or paste CSV (first row: column names such as email, first_name, last_name)
          <textarea rows={5} value={csv} onChange={(e) => setCsv(e.target.value)} />
        </label>
        <button type="submit" disabled={!csv.trim()}>
          Import
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {report && (
        <div role="status">
          <p>
            Created {report.created}, updated {report.updated}, rejected {report.rejected.length}.
          </p>
          {report.rejected.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Field</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {report.rejected.map((r) => (
                  <tr key={`${r.row}:${r.field}`}>
                    <td>{r.row}</td>
                    <td>{r.field}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </details>
  );
}

function describe(item: TimelineItem): string {
  if (item.type === "enrollment.exited") {
    const seq = typeof item.data.sequence === "string" ? ` ${item.data.sequence}` : "";
    return `Exited${seq}: ${item.exit_reason ?? "?"}`;
  }
  if (item.type === "enrollment.started" && typeof item.data.sequence === "string")
    return `Started ${item.data.sequence}`;
  if (item.summary) return item.summary;
  const subject = item.data.subject;
  if (typeof subject === "string") return subject;
  const snippet = item.data.snippet;
  return typeof snippet === "string" ? snippet : item.type;
}

export function ContactTimelinePage({ id }: { id: string }) {
  const contact = useLoad<Contact>(`/v1/contacts/${encodeURIComponent(id)}`);
  return (
    <>
      <p>
        <GuardedLink href="/contacts">← Contacts</GuardedLink>
      </p>
      {contact.error && <p role="alert">{contact.error.message}</p>}
      {contact.data && (
        <>
          <h1>{contactName(contact.data)}</h1>
          <p>
            {contact.data.email} {contact.data.phone && <>· {contact.data.phone}</>}{" "}
            {contact.data.title && <>· {contact.data.title}</>}
          </p>
        </>
      )}
      <h2>Timeline</h2>
      <TimelineList id={id} />
    </>
  );
}

/** Every touch, event, reply, task and exit of a contact, newest first (also used by the Inbox). */
export function TimelineList({ id }: { id: string }) {
  const timeline = useLoad<Page<TimelineItem>>(`/v1/contacts/${encodeURIComponent(id)}/timeline?limit=200`);
  return (
    <ListState
      loaded={timeline}
      rows={timeline.data?.data}
      empty="Nothing has happened with this contact yet."
    >
      {(rows) => (
        <ol className="timeline" data-testid="contact-timeline">
          {rows.map((item) => (
            <li key={item.id}>
              <small>
                <time dateTime={item.at}>{formatTime(item.at)}</time>
              </small>
              <br />
              <Badge tone={item.exit_reason ? "bad" : undefined}>{item.type}</Badge>{" "}
              {item.status && <Badge>{item.status}</Badge>} {describe(item)}
            </li>
          ))}
        </ol>
      )}
    </ListState>
  );
}
