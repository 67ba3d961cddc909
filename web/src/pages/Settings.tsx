import { type FormEvent, useState } from "react";
import { api, type Page, type SessionInfo } from "../api.ts";
import { Badge, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";

interface Mailbox {
  id: string;
  name: string;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  signature: string | null;
  daily_limit: number;
  is_default: boolean;
  smtp: { host: string; port: number; user: string | null; has_password: boolean } | null;
}
interface Key {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  last_used_at: string | null;
  revoked_at: string | null;
}
interface Webhook {
  id: string;
  url: string;
  event_types: string[];
}

const WEBHOOK_EVENTS = [
  "enrollment.exited",
  "reply.received",
  "task.created",
  "sequence.completed",
  "message.bounced",
] as const;
interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  phone: string | null;
}

export function SettingsPage({ session }: { session: SessionInfo }) {
  const admin = session.scopes.includes("admin");
  const mailboxes = useLoad<Page<Mailbox>>("/v1/mailboxes");
  const users = useLoad<Page<User>>("/v1/users");
  const keys = useLoad<Page<Key>>(admin ? "/v1/keys" : null);
  const webhooks = useLoad<Page<Webhook>>(admin ? "/v1/webhooks" : null);
  return (
    <>
      <h1>Settings</h1>
      {session.user && <Password hasPassword={session.user.has_password} email={session.user.email} />}
      <WorkspaceSettings admin={admin} />
      <h2>Mailboxes</h2>
      <ListState loaded={mailboxes} rows={mailboxes.data?.data} empty="No mailboxes yet.">
        {(rows) => (
          <ul>
            {rows.map((m) => (
              <li key={m.id}>
                {m.name} &lt;{m.from_address}&gt; · {m.daily_limit}/day{" "}
                {m.is_default && <Badge>default</Badge>}
                {m.smtp ? <Badge tone="good">SMTP</Badge> : <Badge tone="warn">no SMTP</Badge>}
                {admin && <EditMailbox mailbox={m} onSaved={mailboxes.reload} />}
              </li>
            ))}
          </ul>
        )}
      </ListState>
      {admin && <NewMailbox onCreated={mailboxes.reload} />}
      <h2>Team</h2>
      <ListState loaded={users} rows={users.data?.data} empty="No team members yet.">
        {(rows) => (
          <ul>
            {rows.map((u) => (
              <li key={u.id}>
                {u.name} &lt;{u.email}&gt; <Badge>{u.role}</Badge>
                {u.phone && (
                  <span title="calls from their contacts are put through to this phone"> {u.phone}</span>
                )}
                {admin && <SignInLink user={u} />}
              </li>
            ))}
          </ul>
        )}
      </ListState>
      {admin && <NewTeamMember onCreated={users.reload} />}
      {admin && (
        <>
          <h2>API keys</h2>
          <ListState loaded={keys} rows={keys.data?.data.filter((k) => !k.revoked_at)} empty="No API keys.">
            {(rows) => (
              <ul>
                {rows.map((k) => (
                  <li key={k.id}>
                    {k.name} <code>{k.prefix}…</code>{" "}
                    {k.scopes.map((s) => (
                      <Badge key={s}>{s}</Badge>
                    ))}
                  </li>
                ))}
              </ul>
            )}
          </ListState>
          <NewKey onCreated={keys.reload} />
          <h2>Webhooks</h2>
          <ListState loaded={webhooks} rows={webhooks.data?.data} empty="No webhooks.">
            {(rows) => (
              <ul>
                {rows.map((w) => (
                  <li key={w.id}>
                    <code>{w.url}</code> {w.event_types.join(", ")}
                  </li>
                ))}
              </ul>
            )}
          </ListState>
          <NewWebhook onCreated={webhooks.reload} />
        </>
      )}
    </>
  );
}

/** Runs a create call and reports its outcome in the form's status line. */
function useCreate(onCreated: () => void) {
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const run = async (event: FormEvent, call: () => Promise<string>) => {
    event.preventDefault();
    try {
      const text = await call();
      setStatus({ ok: true, text });
      onCreated();
    } catch (e) {
      setStatus({ ok: false, text: e instanceof Error ? e.message : String(e) });
    }
  };
  const line = status ? (
    status.ok ? (
      <output>{status.text}</output>
    ) : (
      <p role="alert" className="error">
        {status.text}
      </p>
    )
  ) : null;
  return { run, line };
}

type SmtpKey = "host" | "port" | "user" | "pass";
type SmtpDraft = Record<SmtpKey, string>;

/** The `smtp` part of a mailbox write; nothing when no host is given. An empty password is left out. */
function smtpBody(d: SmtpDraft): { smtp?: { host: string; port: number; user?: string; pass?: string } } {
  if (!d.host.trim()) return {};
  return {
    smtp: {
      host: d.host.trim(),
      port: Number(d.port),
      ...(d.user.trim() ? { user: d.user.trim() } : {}),
      ...(d.pass ? { pass: d.pass } : {}),
    },
  };
}

function SmtpFields({
  legend,
  passwordLabel,
  value,
  set,
}: {
  legend: string;
  passwordLabel: string;
  value: SmtpDraft;
  set: (key: SmtpKey) => (e: { target: { value: string } }) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label>
        Host
        <input value={value.host} onChange={set("host")} placeholder="smtp.example.com" />
      </label>
      <label>
        Port
        <input type="number" min={1} max={65535} value={value.port} onChange={set("port")} />
      </label>
      <label>
        User
        <input value={value.user} onChange={set("user")} autoComplete="off" />
      </label>
      <label>
        {passwordLabel}
        <input type="password" value={value.pass} onChange={set("pass")} autoComplete="new-password" />
      </label>
    </fieldset>
  );
}

/** Changes a mailbox: sender, signature, daily limit, SMTP (an empty password keeps the stored one). */
function EditMailbox({ mailbox, onSaved }: { mailbox: Mailbox; onSaved: () => void }) {
  const [f, setF] = useState({
    from_name: mailbox.from_name,
    reply_to: mailbox.reply_to ?? "",
    signature: mailbox.signature ?? "",
    daily_limit: String(mailbox.daily_limit),
    host: mailbox.smtp?.host ?? "",
    port: String(mailbox.smtp?.port ?? 587),
    user: mailbox.smtp?.user ?? "",
    pass: "",
  });
  const set = (key: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [key]: e.target.value });
  const { run, line } = useCreate(onSaved);
  return (
    <details>
      <summary>Edit {mailbox.name}</summary>
      <form
        aria-label={`Edit mailbox ${mailbox.name}`}
        onSubmit={(e) =>
          run(e, async () => {
            await api("PATCH", `/v1/mailboxes/${encodeURIComponent(mailbox.id)}`, {
              from_name: f.from_name,
              reply_to: f.reply_to.trim() || null,
              signature: f.signature.trim() ? f.signature : null,
              daily_limit: Number(f.daily_limit),
              ...smtpBody(f),
            });
            setF({ ...f, pass: "" });
            return `${mailbox.from_address} saved.`;
          })
        }
      >
        <label>
          From name
          <input required value={f.from_name} onChange={set("from_name")} />
        </label>
        <label>
          Reply-to (optional)
          <input type="email" value={f.reply_to} onChange={set("reply_to")} />
        </label>
        <label>
          Signature
          <textarea rows={3} value={f.signature} onChange={set("signature")} />
        </label>
        <label>
          Emails per day
          <input required type="number" min={1} value={f.daily_limit} onChange={set("daily_limit")} />
        </label>
        <SmtpFields
          legend="SMTP"
          passwordLabel={`Password (${mailbox.smtp?.has_password ? "leave empty to keep the stored one" : "none stored"})`}
          value={f}
          set={set}
        />
        <button type="submit">Save mailbox</button>
        {line}
      </form>
    </details>
  );
}

function NewMailbox({ onCreated }: { onCreated: () => void }) {
  const [f, setF] = useState({
    name: "",
    from_name: "",
    from_address: "",
    daily_limit: "150",
    host: "",
    port: "587",
    user: "",
    pass: "",
  });
  const set = (key: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [key]: e.target.value });
  const { run, line } = useCreate(onCreated);
  return (
    <details>
      <summary>Add a mailbox</summary>
      <form
        onSubmit={(e) =>
          run(e, async () => {
            await api("POST", "/v1/mailboxes", {
              name: f.name,
              from_name: f.from_name,
              from_address: f.from_address,
              daily_limit: Number(f.daily_limit),
              ...smtpBody(f),
            });
            setF({ ...f, pass: "" });
            return `Mailbox ${f.from_address} added. Check it with \`nudge doctor\`.`;
          })
        }
      >
        <label>
          Name
          <input required value={f.name} onChange={set("name")} placeholder="Rita's mailbox" />
        </label>
        <label>
          From name
          <input required value={f.from_name} onChange={set("from_name")} placeholder="Rita Rep" />
        </label>
        <label>
          From address
          <input required type="email" value={f.from_address} onChange={set("from_address")} />
        </label>
        <label>
          Emails per day
          <input required type="number" min={1} value={f.daily_limit} onChange={set("daily_limit")} />
        </label>
        <SmtpFields
          legend="SMTP (leave the host empty to add it later)"
          passwordLabel="Password"
          value={f}
          set={set}
        />
        <button type="submit">Add mailbox</button>
        {line}
      </form>
    </details>
  );
}

function NewTeamMember({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("rep");
  const [phone, setPhone] = useState("");
  const { run, line } = useCreate(onCreated);
  return (
    <form
      className="row-actions"
      onSubmit={(e) =>
        run(e, async () => {
          await api("POST", "/v1/users", { name, email, role, ...(phone.trim() ? { phone } : {}) });
          setName("");
          setEmail("");
          setPhone("");
          return `${email} added: hand them a sign-in link.`;
        })
      }
    >
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Email
        <input required type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="rep">rep</option>
          <option value="manager">manager</option>
          <option value="admin">admin</option>
        </select>
      </label>
      <label>
        Phone (calls are put through)
        <input
          type="tel"
          value={phone}
          placeholder="+1 415 555 0199"
          onChange={(e) => setPhone(e.target.value)}
        />
      </label>
      <button type="submit">Add team member</button>
      {line}
    </form>
  );
}

function NewWebhook({ onCreated }: { onCreated: () => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["reply.received", "task.created"]);
  const { run, line } = useCreate(onCreated);
  const toggle = (name: string) =>
    setEvents(events.includes(name) ? events.filter((x) => x !== name) : [...events, name]);
  return (
    <form
      onSubmit={(e) =>
        run(e, async () => {
          const created = await api<{ secret: string }>("POST", "/v1/webhooks", { url, event_types: events });
          setUrl("");
          return `Webhook added. Signing secret (shown once): ${created.secret}`;
        })
      }
    >
      <label>
        Webhook URL
        <input required type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <fieldset>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <label key={name}>
            <input type="checkbox" checked={events.includes(name)} onChange={() => toggle(name)} /> {name}
          </label>
        ))}
      </fieldset>
      <button type="submit">Add webhook</button>
      {line}
    </form>
  );
}

function NewKey({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState("rep");
  const [shown, setShown] = useState<string>();
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const r = await api<{ key: string }>("POST", "/v1/keys", { name, scopes: [scope] });
      setShown(r.key);
      setName("");
      onCreated();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form onSubmit={submit} className="row-actions">
      <label>
        Key name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Scope
        <select value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="rep">rep</option>
          <option value="ingest">ingest</option>
          <option value="admin">admin</option>
        </select>
      </label>
      <button type="submit">Create key</button>
      {shown && (
        <output>
          New key (shown once): <code>{shown}</code>
        </output>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

function Password({ hasPassword, email }: { hasPassword: boolean; email: string }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [status, setStatus] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api("PUT", "/v1/session/password", {
        new_password: next,
        ...(hasPassword ? { current_password: current } : {}),
      });
      setStatus(`Password set: sign in as ${email} with it.`);
      setCurrent("");
      setNext("");
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <details>
      <summary>Your password ({email})</summary>
      <form onSubmit={submit}>
        {hasPassword && (
          <label>
            Current password
            <input
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </label>
        )}
        <label>
          New password (at least 10 characters)
          <input
            type="password"
            autoComplete="new-password"
            minLength={10}
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <button type="submit">Set password</button>
        <output>{status}</output>
      </form>
    </details>
  );
}

function SignInLink({ user }: { user: User }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  const create = async () => {
    try {
      setUrl((await api<{ url: string }>("POST", "/v1/session/links", { user_id: user.id })).url);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      {" "}
      <button
        type="button"
        className="outline secondary"
        onClick={create}
        aria-label={`Sign-in link for ${user.name}`}
      >
        Sign-in link
      </button>
      {url && (
        <output>
          {" "}
          One-time link for {user.name} (24 hours): <code>{url}</code>
        </output>
      )}
      {error && (
        <span role="alert" className="error">
          {" "}
          {error}
        </span>
      )}
    </>
  );
}

interface WorkspaceInfo {
  name: string;
  mode: string;
  time_zone: string;
  settings: {
    concurrent_enrollment: string;
    caps: { emails_per_7_days: number; sms_per_7_days: number; per_domain_per_hour: number };
    postal_address: string | null;
  };
}

/** Time zone, caps and the concurrent-enrollment policy (sending windows live in each sequence). */
function WorkspaceSettings({ admin }: { admin: boolean }) {
  const loaded = useLoad<WorkspaceInfo>("/v1/workspace");
  const [draft, setDraft] = useState<WorkspaceInfo>();
  const [status, setStatus] = useState<string>();
  const ws = draft ?? loaded.data;
  if (loaded.error) return <p role="alert">Could not load the workspace: {loaded.error.message}</p>;
  if (!ws) return <p aria-busy="true">Loading…</p>;
  const caps = ws.settings.caps;
  const setCap = (key: keyof typeof caps, value: string) =>
    setDraft({ ...ws, settings: { ...ws.settings, caps: { ...caps, [key]: Number(value) } } });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api("PATCH", "/v1/workspace", {
        time_zone: ws.time_zone,
        settings: {
          concurrent_enrollment: ws.settings.concurrent_enrollment,
          caps,
          postal_address: ws.settings.postal_address?.trim() ? ws.settings.postal_address : null,
        },
      });
      setDraft(undefined);
      loaded.reload();
      setStatus("Saved.");
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="ws-heading">
      <h2 id="ws-heading">
        Workspace <Badge tone={ws.mode === "live" ? "good" : "warn"}>{ws.mode}</Badge>
      </h2>
      <form onSubmit={save}>
        <fieldset disabled={!admin}>
          <label>
            Time zone
            <input value={ws.time_zone} onChange={(e) => setDraft({ ...ws, time_zone: e.target.value })} />
          </label>
          <label>
            When a contact already runs in another sequence
            <select
              value={ws.settings.concurrent_enrollment}
              onChange={(e) =>
                setDraft({ ...ws, settings: { ...ws.settings, concurrent_enrollment: e.target.value } })
              }
            >
              <option value="allow">allow</option>
              <option value="skip">skip</option>
              <option value="queue">queue</option>
            </select>
          </label>
          <div className="grid">
            <label>
              Emails per contact per 7 days
              <input
                type="number"
                min={0}
                value={caps.emails_per_7_days}
                onChange={(e) => setCap("emails_per_7_days", e.target.value)}
              />
            </label>
            <label>
              Texts per contact per 7 days
              <input
                type="number"
                min={0}
                value={caps.sms_per_7_days}
                onChange={(e) => setCap("sms_per_7_days", e.target.value)}
              />
            </label>
            <label>
              Emails per recipient domain per hour
              <input
                type="number"
                min={0}
                value={caps.per_domain_per_hour}
                onChange={(e) => setCap("per_domain_per_hour", e.target.value)}
              />
            </label>
          </div>
          <label>
            Postal address (printed in every email's footer; CAN-SPAM requires one)
            <textarea
              rows={2}
              value={ws.settings.postal_address ?? ""}
              placeholder="Acme Inc., 1 Main St, Springfield, IL 62701, USA"
              onChange={(e) =>
                setDraft({ ...ws, settings: { ...ws.settings, postal_address: e.target.value } })
              }
            />
          </label>
          <button type="submit" disabled={!draft}>
            Save workspace settings
          </button>
          <output>{status}</output>
        </fieldset>
      </form>
      <p>
        <small>
          Sending days and hours are set per sequence (its <code>schedule</code>).
        </small>
      </p>
    </section>
  );
}
