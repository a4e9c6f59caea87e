import { describe, expect, it } from "vitest";
import { Objectives } from "@/lib/config/schema";
import type { IncidentDetail } from "./incident-views";
import { measureObjectives } from "./measure-objectives";
import { reviewFilename, reviewMarkdown } from "./review-markdown";

const objectives = Objectives.parse({});
const startedAt = "2026-11-25T10:00:00.000Z";

function incident(overrides: Partial<IncidentDetail> = {}): IncidentDetail {
  return {
    id: "7d4c2b1e-0000-4000-8000-000000000001",
    title: "Loans | payments deleted",
    severity: "sev1",
    environment: "prod",
    scope: "Rows deleted from loans and payments\nfor tenant 42",
    status: "closed",
    startedAt,
    declaredAt: "2026-11-25T10:02:00.000Z",
    declaredByEmail: "ada@example.com",
    lastKnownGoodAt: "2026-11-25T09:55:00.000Z",
    recoveredAt: "2026-11-25T10:40:00.000Z",
    closedAt: "2026-11-25T12:00:00.000Z",
    measurement: null,
    template: { id: "t", name: "Emergency Recovery Checklist", version: 1 },
    createdFromRunId: null,
    wentWell: "The PITR window was wide enough.",
    wentBadly: null,
    lessons: "Alert on DELETE spikes.",
    objectives,
    phases: [
      {
        key: "immediate",
        title: "Immediate actions",
        deadlineMinutes: 5,
        items: [
          {
            id: "i1",
            phaseKey: "immediate",
            position: 0,
            text: "Assess scope of data loss",
            autoTick: null,
            checkedAt: "2026-11-25T10:03:00.000Z",
            checkedByEmail: "ada@example.com",
            note: "tenant 42 only",
            evidence: null,
            version: 1,
          },
          {
            id: "i2",
            phaseKey: "immediate",
            position: 1,
            text: "Verify backup availability",
            autoTick: "backup-verified",
            checkedAt: "2026-11-25T10:04:00.000Z",
            checkedByEmail: "system",
            note: null,
            evidence: { kind: "backup-verified", href: "/backups/b1", description: "Backup 2026-11-25.sql.gz verified" },
            version: 1,
          },
          {
            id: "i3",
            phaseKey: "immediate",
            position: 2,
            text: "Notify stakeholders",
            autoTick: null,
            checkedAt: null,
            checkedByEmail: null,
            note: null,
            evidence: null,
            version: 0,
          },
        ],
      },
      { key: "post-recovery", title: "Post-recovery", deadlineMinutes: null, items: [] },
    ],
    events: [
      {
        id: "1",
        at: "2026-11-25T10:02:00.000Z",
        actorEmail: "ada@example.com",
        type: "declared",
        payload: { title: "Loans | payments deleted", severity: "sev1", environment: "prod" },
      },
      {
        id: "2",
        at: "2026-11-25T10:03:00.000Z",
        actorEmail: "ada@example.com",
        type: "item-checked",
        payload: { text: "Assess scope of data loss", note: "tenant 42 only" },
      },
      {
        id: "3",
        at: "2026-11-25T10:03:01.000Z",
        actorEmail: "bob@example.com",
        type: "item-checked",
        payload: { text: "Assess scope of data loss", alreadyCheckedBy: "ada@example.com" },
      },
      {
        id: "4",
        at: "2026-11-25T10:40:00.000Z",
        actorEmail: "ada@example.com",
        type: "status-changed",
        payload: { from: "recovering", to: "recovered" },
      },
    ],
    followUps: [{ id: "f1", text: "Add a DELETE-rate alert", owner: "bob@example.com", dueAt: "2026-12-01T00:00:00.000Z", doneAt: null }],
    deliveries: [],
    ...overrides,
  };
}

describe("review Markdown", () => {
  it("has the sections in order: summary, scope, objectives, checklist, timeline, review, follow-ups", () => {
    const headings = reviewMarkdown(incident())
      .split("\n")
      .filter((line) => line.startsWith("#"));
    expect(headings).toEqual([
      "# Post-incident review: Loans | payments deleted",
      "## Scope of data loss",
      "## Recovery objectives (RTO/RPO)",
      "## Checklist",
      "### Immediate actions (within 5 min)",
      "### Post-recovery",
      "## Timeline",
      "## What went well",
      "## What did not go well",
      "## Lessons learned",
      "## Follow-up actions",
    ]);
  });

  it("puts every timeline event in a table row, with pipes escaped and both concurrent ticks kept", () => {
    const markdown = reviewMarkdown(incident());
    expect(markdown).toContain("| Time | Who | What |");
    expect(markdown).toContain(
      "| 2026-11-25 10:02:00 UTC | ada@example.com | Declared SEV1 incident in prod: Loans \\| payments deleted |",
    );
    expect(markdown).toContain(
      "| 2026-11-25 10:03:01 UTC | bob@example.com | Ticked “Assess scope of data loss”, already ticked by ada@example.com |",
    );
    expect(markdown).toContain("| 2026-11-25 10:40:00 UTC | ada@example.com | Status changed from recovering to recovered |");
  });

  it("shows the checklist with who ticked what, system evidence and notes", () => {
    const markdown = reviewMarkdown(incident());
    expect(markdown).toContain("- [x] Assess scope of data loss — ada@example.com, 2026-11-25 10:03:00 UTC — tenant 42 only");
    expect(markdown).toContain(
      "- [x] Verify backup availability — by the system, 2026-11-25 10:04:00 UTC (evidence: Backup 2026-11-25.sql.gz verified)",
    );
    expect(markdown).toContain("- [ ] Notify stakeholders");
  });

  it("says RTO/RPO were not measured without a restore, and lists the objectives", () => {
    const markdown = reviewMarkdown(incident());
    expect(markdown).toContain("_No restore was linked to this incident, so RTO and RPO were not measured._");
    expect(markdown).toContain("| PITR | 15–45 min | 5 min |");
    expect(markdown).toContain("| Logical restore | 30 min–2 h | 1 d |");
  });

  it("compares measured RTO/RPO with the objectives, with step durations", () => {
    const measurement = measureObjectives({
      objectives,
      incident: { startedAt, lastKnownGoodAt: "2026-11-25T09:55:00Z" },
      run: {
        method: "pitr",
        startedAt: "2026-11-25T10:06:00Z",
        validatedAt: "2026-11-25T10:38:00Z",
        restorePointAt: "2026-11-25T09:45:00Z",
        steps: [{ name: "restore cluster", startedAt: "2026-11-25T10:06:00Z", finishedAt: "2026-11-25T10:30:00Z" }],
      },
    });
    const markdown = reviewMarkdown(incident({ measurement }));
    expect(markdown).toContain("Method: PITR");
    expect(markdown).toContain(
      "| RTO | incident start 2026-11-25 10:00:00 UTC | validated restore 2026-11-25 10:38:00 UTC | 38 min | 15–45 min | met |",
    );
    expect(markdown).toContain(
      "| RPO | last known good 2026-11-25 09:55:00 UTC | restore point 2026-11-25 09:45:00 UTC | 10 min | at most 5 min | missed |",
    );
    expect(markdown).toContain("| restore cluster | 24 min |");
  });

  it("keeps review text, marks missing parts, and lists follow-ups with owners", () => {
    const markdown = reviewMarkdown(incident());
    expect(markdown).toContain("## What went well\n\nThe PITR window was wide enough.");
    expect(markdown).toContain("## What did not go well\n\n_Not written yet._");
    expect(markdown).toContain("| Add a DELETE-rate alert | bob@example.com | 2026-12-01 | open |");
    expect(reviewMarkdown(incident({ followUps: [] }))).toContain("## Follow-up actions\n\n_None recorded._");
  });

  it("lists accepted validation failures (who, when, which run and checks, why) and puts them on the timeline", () => {
    const acceptance = {
      id: "5",
      at: "2026-11-25T10:30:00.000Z",
      actorEmail: "root@example.com",
      type: "validation-accepted",
      payload: {
        runId: "9a9a9a9a-0000-4000-8000-000000000009",
        href: "/restores/9a9a9a9a-0000-4000-8000-000000000009",
        checks: ["orphaned-payments"],
        reason: "The orphan | predates the incident",
      },
    };
    const markdown = reviewMarkdown(incident({ events: [...incident().events, acceptance] }));
    expect(markdown).toContain("## Accepted validation failures");
    expect(markdown).toContain(
      "| 2026-11-25 10:30:00 UTC | root@example.com | 9a9a9a9a-0000-4000-8000-000000000009 | orphaned-payments | The orphan \\| predates the incident |",
    );
    expect(markdown).toContain(
      "| 2026-11-25 10:30:00 UTC | root@example.com | Accepted blocking validation failure orphaned-payments of restore run 9a9a9a9a-0000-4000-8000-000000000009 — reason: The orphan \\| predates the incident |",
    );
    expect(reviewMarkdown(incident())).not.toContain("## Accepted validation failures");
  });

  it("names the file after the start date and the title", () => {
    expect(reviewFilename(incident())).toBe("incident-2026-11-25-loans-payments-deleted.md");
  });
});
