import { describe, expect, it } from "vitest";
import type { DrillEnvironmentView, DrillView } from "./drill-model";
import { drillEvidenceHtml, drillEvidenceMarkdown, type DrillEvidence } from "./drill-report";

const passed: DrillView = {
  id: "11111111-1111-4111-8111-111111111111",
  environment: "production",
  status: "succeeded",
  outcome: "passed",
  method: "logical",
  trigger: "schedule",
  startedBy: "schedule 0 3 * * 1 (Europe/Berlin)",
  scheduledFor: "2026-11-23T02:00:00.000Z",
  createdAt: "2026-11-23T02:00:05.000Z",
  startedAt: "2026-11-23T02:00:06.000Z",
  finishedAt: "2026-11-23T02:41:00.000Z",
  backup: { id: "22222222-2222-4222-8222-222222222222", name: "2026-11-22.sql.gz", takenAt: "2026-11-22T02:00:00.000Z" },
  backupChoice: "newest-verified",
  target: "drill-sandbox",
  scratchDatabase: "loanserve_restore_202611230200_11111111",
  durationMs: 40 * 60_000,
  restoreMs: 35 * 60_000,
  validateMs: 5 * 60_000,
  rtoMaxMinutes: 120,
  withinRto: true,
  checks: { total: 6, failed: [], warnings: [] },
  rowCounts: [
    { table: "loans", manifest: 100, restored: 100 },
    { table: "payments", manifest: 500, restored: 500 },
  ],
  copyDropped: true,
  error: null,
};

const failed: DrillView = {
  ...passed,
  id: "33333333-3333-4333-8333-333333333333",
  status: "failed",
  outcome: "failed",
  trigger: "token",
  startedBy: "ci-nightly",
  scheduledFor: null,
  createdAt: "2026-11-30T02:00:05.000Z",
  startedAt: "2026-11-30T02:00:06.000Z",
  durationMs: null,
  withinRto: null,
  checks: { total: 6, failed: ["critical-table-rows"], warnings: [] },
  rowCounts: [{ table: "loans", manifest: 105, restored: 100 }],
  error: "Validation failed: <script>alert(1)</script> | row counts differ",
};

const view: DrillEnvironmentView = {
  environment: "production",
  schedule: {
    cron: "0 3 * * 1",
    timeZone: "Europe/Berlin",
    target: "drill-sandbox",
    pitr: false,
    backup: "newest-verified",
    next: null,
    lastFireAt: null,
    lastError: null,
  },
  rtoMaxMinutes: 120,
  pitrRtoMaxMinutes: 45,
  drills: [failed, passed],
};

const evidence: DrillEvidence = {
  from: "2026-09-01T00:00:00.000Z",
  to: "2026-12-01T00:00:00.000Z",
  generatedAt: "2026-11-30T09:00:00.000Z",
  generatedBy: "auditor@example.com",
  environments: [view],
};

describe("drill evidence", () => {
  it("lists every drill with its trigger, timings, checks, row counts and failure reasons, as Markdown", () => {
    const markdown = drillEvidenceMarkdown(evidence);
    expect(markdown).toContain(
      "Period: 2026-09-01 00:00:00 UTC to 2026-12-01 00:00:00 UTC. Generated 2026-11-30 09:00:00 UTC by auditor@example.com.",
    );
    expect(markdown).toContain("Schedule `0 3 * * 1` (Europe/Berlin), restoring the newest-verified backup onto target drill-sandbox.");
    expect(markdown).toContain("2 drills: 1 passed, 1 failed, 0 cancelled; 1 of 1 passed within the RTO objective.");
    expect(markdown).toContain(
      "| 2026-11-23 02:00:06 UTC | Schedule: fire of 2026-11-23 02:00 UTC | 2026-11-22.sql.gz (taken 2026-11-22 02:00:00 UTC) | passed | 40 min | within 120 min | 6 of 6 passed | 2 tables match | yes |",
    );
    // A cell's "|" is escaped so the row keeps its columns.
    expect(markdown).toContain(
      "| FAILED | — | — | 5 of 6 passed (failed: critical-table-rows) | 1 of 1 table differs: loans: 100 restored, 105 in the manifest | yes |",
    );
    expect(markdown).toContain(
      "- 2026-11-30 02:00:06 UTC, 2026-11-22.sql.gz: Validation failed: <script>alert(1)</script> | row counts differ (run 33333333-3333-4333-8333-333333333333)",
    );
    expect(markdown).toContain("API token: ci-nightly");
  });

  it("prints the same as HTML, with everything from the database escaped", () => {
    const html = drillEvidenceHtml(evidence);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain("<script>");
    expect(html).toContain("Validation failed: &lt;script&gt;alert(1)&lt;/script&gt; | row counts differ");
    expect(html).toContain('<tr class="failed">');
    expect(html).toContain("@media print");
  });

  it("says so when nothing ran", () => {
    expect(drillEvidenceMarkdown({ ...evidence, environments: [{ ...view, drills: [] }] })).toContain("_No drill ran in this period._");
    expect(drillEvidenceMarkdown({ ...evidence, environments: [] })).toContain(
      "_No environment has drills configured or recorded in this period._",
    );
  });
});
