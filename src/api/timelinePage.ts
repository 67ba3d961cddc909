// One page of a contact's or an enrollment's timeline, labelled with each entry's sequence.

import type { Executor } from "../store/executor.ts";
import { readTimeline, sequenceIdsOfEnrollments } from "../store/ops/contactTimeline.ts";
import {
  parseTimelineCursor,
  type TimelineItemOutput,
  timelineCursor,
  toTimelineItem,
} from "./schemas/timeline.ts";

export async function timelinePage(
  db: Executor,
  workspaceId: string,
  scope: { contactId: string } | { enrollmentId: string },
  query: { limit: number; cursor?: string | undefined },
): Promise<{ data: TimelineItemOutput[]; next_cursor: string | null }> {
  const { entries, more } = await readTimeline(db, workspaceId, scope, {
    before: parseTimelineCursor(query.cursor),
    limit: query.limit,
  });
  const sequences = await sequenceIdsOfEnrollments(
    db,
    entries.flatMap((e) => (e.enrollmentId ? [e.enrollmentId] : [])),
  );
  const last = entries.at(-1);
  return {
    data: entries.map((e) => toTimelineItem(e, (id) => sequences.get(id) ?? null)),
    next_cursor: more && last ? timelineCursor(last) : null,
  };
}
