import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";
import { useLocation } from "wouter";
import type { Page, Sequence } from "../api.ts";
import { ListState } from "../components.tsx";
import { useLoad } from "../hooks.ts";
import { significance } from "../stats.ts";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

interface StepStats {
  step_id: string;
  kind: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  replied: number;
  bounced: number;
  unsubscribed: number;
  held: number;
  tasks_created: number;
  tasks_completed: number;
  variants: Array<{ variant: string; sent: number; replied: number }>;
}
interface DealGroup {
  contacts_with_deals: number;
  advanced: number;
  rate: number | null;
}
interface Outcomes {
  replies: { total: number; positive: number; negative: number; neutral: number };
  time_to_first_reply_hours: { median: number | null; p90: number | null };
  completed_without_response: number;
  deal_advancement: { enrolled: DealGroup; not_enrolled: DealGroup };
}
interface Stats {
  steps: StepStats[];
  exits: Record<string, number>;
  enrollments: Record<string, number>;
  outcomes?: Outcomes;
}

const COLUMNS = [
  "sent",
  "delivered",
  "opened",
  "clicked",
  "replied",
  "bounced",
  "unsubscribed",
  "held",
] as const;

export default function AnalyticsPage({ id }: { id?: string }) {
  const [, navigate] = useLocation();
  const sequences = useLoad<Page<Sequence>>("/v1/sequences");
  const chosen = id ?? sequences.data?.data[0]?.key;
  const stats = useLoad<Stats>(chosen ? `/v1/sequences/${encodeURIComponent(chosen)}/stats` : null);
  return (
    <>
      <h1>Analytics</h1>
      <ListState loaded={sequences} rows={sequences.data?.data} empty="No sequences yet.">
        {(rows) => (
          <label>
            Sequence
            <select value={chosen} onChange={(e) => navigate(`/analytics/${e.target.value}`)}>
              {rows.map((s) => (
                <option key={s.id} value={s.key}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </ListState>
      {stats.error && <p role="alert">{stats.error.message}</p>}
      {chosen && !stats.data && !stats.error && <p aria-busy="true">Loading…</p>}
      {stats.data && (
        <>
          <p>
            Enrollments:{" "}
            {Object.entries(stats.data.enrollments)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ")}
          </p>
          <Funnel steps={stats.data.steps} />
          <div className="scroll-x">
            <table>
              <caption>Per step</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  {COLUMNS.map((c) => (
                    <th scope="col" key={c}>
                      {c}
                    </th>
                  ))}
                  <th scope="col">tasks done</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.steps.map((s) => (
                  <tr key={s.step_id}>
                    <th scope="row">
                      {s.step_id} <small>({s.kind})</small>
                    </th>
                    {COLUMNS.map((c) => (
                      <td key={c}>{s[c]}</td>
                    ))}
                    <td>
                      {s.tasks_completed}/{s.tasks_created}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Variants steps={stats.data.steps} />
          {stats.data.outcomes && <OutcomeSummary outcomes={stats.data.outcomes} />}
          <h2>Exits by reason</h2>
          {Object.keys(stats.data.exits).length === 0 ? (
            <p className="empty">No exits yet.</p>
          ) : (
            <ul>
              {Object.entries(stats.data.exits).map(([reason, n]) => (
                <li key={reason}>
                  {reason}: {n}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function Funnel({ steps }: { steps: StepStats[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: "bar",
      data: {
        labels: steps.map((s) => s.step_id),
        datasets: [
          {
            label: "Sent / tasks",
            data: steps.map((s) => s.sent + s.tasks_created),
            backgroundColor: "#3d6fb6",
          },
          { label: "Clicked", data: steps.map((s) => s.clicked), backgroundColor: "#7aa7e0" },
          { label: "Replied", data: steps.map((s) => s.replied), backgroundColor: "#2e7d32" },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false },
    });
    return () => chart.destroy();
  }, [steps]);
  return (
    <figure style={{ height: "18rem" }}>
      <canvas ref={canvas} role="img" aria-label="Step funnel: sent, clicked and replied per step" />
    </figure>
  );
}

function Variants({ steps }: { steps: StepStats[] }) {
  const tested = steps.filter((s) => s.variants.length > 1);
  if (tested.length === 0) return null;
  return (
    <>
      <h2>A/B variants</h2>
      {tested.map((s) => {
        const [a, b] = s.variants;
        const confidence = a && b ? significance(a, b) : null;
        return (
          <div key={s.step_id} className="scroll-x">
            <table>
              <caption>
                Step {s.step_id}
                {confidence !== null &&
                  ` · ${Math.round(confidence * 100)}% confidence the reply rates differ`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Variant</th>
                  <th scope="col">sent</th>
                  <th scope="col">replied</th>
                  <th scope="col">reply rate</th>
                </tr>
              </thead>
              <tbody>
                {s.variants.map((v) => (
                  <tr key={v.variant}>
                    <th scope="row">{v.variant}</th>
                    <td>{v.sent}</td>
                    <td>{v.replied}</td>
                    <td>{v.sent ? `${((100 * v.replied) / v.sent).toFixed(1)}%` : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}

function percent(rate: number | null): string {
  return rate === null ? "–" : `${Math.round(rate * 100)}%`;
}

function hours(h: number | null): string {
  if (h === null) return "–";
  return h < 48 ? `${h} h` : `${Math.round((h / 24) * 10) / 10} days`;
}

function OutcomeSummary({ outcomes }: { outcomes: Outcomes }) {
  const { replies, time_to_first_reply_hours: ttfr, deal_advancement: deals } = outcomes;
  return (
    <>
      <h2>Outcomes</h2>
      <dl className="outcomes">
        <dt>Replied</dt>
        <dd>
          {replies.total} ({replies.positive} positive, {replies.negative} negative, {replies.neutral} other)
        </dd>
        <dt>Time to first reply</dt>
        <dd>
          {hours(ttfr.median)} median, {hours(ttfr.p90)} for 90%
        </dd>
        <dt>Completed without a response</dt>
        <dd>{outcomes.completed_without_response}</dd>
        <dt>Deals that moved stage</dt>
        <dd>
          enrolled {percent(deals.enrolled.rate)} of {deals.enrolled.contacts_with_deals}; not enrolled{" "}
          {percent(deals.not_enrolled.rate)} of {deals.not_enrolled.contacts_with_deals}
        </dd>
      </dl>
    </>
  );
}
