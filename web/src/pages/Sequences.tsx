import type { Page, Sequence } from "../api.ts";
import { Badge, GuardedLink, ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";

export function SequencesPage() {
  const list = useLoad<Page<Sequence>>("/v1/sequences");
  return (
    <>
      <div className="row-actions">
        <h1>Sequences</h1>
        <GuardedLink href="/sequences/new" role="button">
          New sequence
        </GuardedLink>
      </div>
      <ListState loaded={list} rows={list.data?.data} empty="No sequences yet: write your first one.">
        {(rows) => (
          <div className="scroll-x">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Version</th>
                  <th scope="col">Numbers</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <GuardedLink href={`/sequences/${s.key}`}>{s.name}</GuardedLink>
                    </td>
                    <td>
                      <code>{s.key}</code>
                    </td>
                    <td>
                      <Badge tone={s.status === "active" ? "good" : undefined}>{s.status}</Badge>
                    </td>
                    <td>{s.current_version}</td>
                    <td>
                      <Numbers sequenceKey={s.key} />{" "}
                      <GuardedLink href={`/analytics/${s.key}`}>Analytics</GuardedLink>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
    </>
  );
}

interface StatsSummary {
  steps: Array<{ sent: number; replied: number }>;
  enrollments: Record<string, number>;
}

/** Live numbers for one sequence: running enrollments, emails sent, replies. */
function Numbers({ sequenceKey }: { sequenceKey: string }) {
  const stats = useLoad<StatsSummary>(`/v1/sequences/${encodeURIComponent(sequenceKey)}/stats`);
  if (stats.error) return <small>numbers unavailable</small>;
  if (!stats.data) return <small aria-busy="true">…</small>;
  const sent = stats.data.steps.reduce((n, s) => n + s.sent, 0);
  const replied = stats.data.steps.reduce((n, s) => n + s.replied, 0);
  return (
    <small>
      {stats.data.enrollments.active ?? 0} running · {sent} sent · {replied} replied ·
    </small>
  );
}
