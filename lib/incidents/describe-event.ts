import { formatUtc, plural } from "@/lib/format";

// One sentence per timeline entry, shared by the incident page and the Markdown export.

interface DescribableEvent {
  type: string;
  payload: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function withNote(sentence: string, payload: Record<string, unknown>): string {
  const note = text(payload.note);
  return note ? `${sentence} — note: ${note}` : sentence;
}

const checkNames = (payload: Record<string, unknown>): string[] =>
  Array.isArray(payload.checks) ? payload.checks.filter((c): c is string => typeof c === "string") : [];

/** "orphaned-payments, critical-table-rows" from an acceptance's payload. */
export function acceptedChecks(payload: Record<string, unknown>): string {
  const checks = checkNames(payload);
  return checks.length > 0 ? checks.join(", ") : "?";
}

/** "3 items" from an overdue phase's payload; older or odd payloads keep whatever they hold. */
function uncheckedItems(payload: Record<string, unknown>): string {
  return typeof payload.unchecked === "number" ? plural(payload.unchecked, "item") : `${String(payload.unchecked ?? "?")} items`;
}

/** "Last known good set to 2026-11-29 02:00:00 UTC (was not determined); scope changed". */
function describeFactChanges(payload: Record<string, unknown>): string {
  const changes = (payload.changes ?? {}) as Record<string, { from?: unknown; to?: unknown } | undefined>;
  const utc = (value: unknown) => (typeof value === "string" ? formatUtc(value) : "not determined");
  const parts: string[] = [];
  const known = changes.lastKnownGoodAt;
  if (known) parts.push(`Last known good set to ${utc(known.to)} (was ${utc(known.from)})`);
  if (changes.scope) parts.push(`Scope changed to “${text(changes.scope.to) ?? ""}”`);
  return parts.join("; ") || "Facts changed";
}

export function describeEvent({ type, payload }: DescribableEvent): string {
  const item = `“${text(payload.text) ?? "an item"}”`;
  switch (type) {
    case "declared":
      return `Declared ${text(payload.severity)?.toUpperCase() ?? "an"} incident in ${text(payload.environment) ?? "?"}: ${text(payload.title) ?? ""}`;
    case "status-changed":
      return `Status changed from ${text(payload.from) ?? "?"} to ${text(payload.to) ?? "?"}`;
    case "facts-changed":
      return describeFactChanges(payload);
    case "item-checked": {
      const already = text(payload.alreadyCheckedBy);
      if (already) return withNote(`Ticked ${item}, already ticked by ${already}`, payload);
      const evidence = text(payload.evidenceDescription);
      return withNote(evidence ? `Ticked ${item} (evidence: ${evidence})` : `Ticked ${item}`, payload);
    }
    case "item-unchecked":
      return withNote(
        payload.alreadyUnchecked === true ? `Undid the tick on ${item}, which was already unticked` : `Undid the tick on ${item}`,
        payload,
      );
    case "note":
      return `Note: ${text(payload.text) ?? ""}`;
    case "run-linked":
      return `Linked restore run ${text(payload.runId) ?? ""}`.trim();
    case "run-finished":
      return `${text(payload.description) ?? "A restore finished"}${payload.outcome === "failed" ? " (failed)" : ""}`;
    case "rows-compared":
    case "repair-applied":
    case "backup-verified":
    case "run-started":
    case "run-progress":
    case "validation":
      return text(payload.description) ?? type;
    case "validation-accepted":
      return `Accepted blocking validation ${checkNames(payload).length === 1 ? "failure" : "failures"} ${acceptedChecks(payload)} of restore run ${text(payload.runId) ?? "?"} — reason: ${text(payload.reason) ?? "none given"}`;
    case "approval-requested":
      return `Asked a second person to approve “${text(payload.actionLabel) ?? text(payload.action) ?? "an action"}” on restore run ${text(payload.runId) ?? "?"} — reason: ${text(payload.reason) ?? "none given"}`;
    case "approval-approved":
      return `Approved “${text(payload.actionLabel) ?? text(payload.action) ?? "an action"}” on restore run ${text(payload.runId) ?? "?"}, asked for by ${text(payload.requestedBy) ?? "?"}`;
    case "approval-refused":
      return `Refused “${text(payload.actionLabel) ?? text(payload.action) ?? "an action"}” on restore run ${text(payload.runId) ?? "?"}, asked for by ${text(payload.requestedBy) ?? "?"} — reason: ${text(payload.reason) ?? "none given"}`;
    case "review-updated":
      return "Updated the post-incident review";
    case "phase-overdue":
      return `${text(payload.title) ?? "A phase"} is overdue: ${uncheckedItems(payload)} not done by the ${String(payload.deadlineMinutes ?? "?")}-minute mark`;
    case "notification-failed": {
      const retry = payload.willRetry === true ? "will retry" : "gave up";
      return `Webhook “${text(payload.event) ?? "?"}” not delivered (attempt ${String(payload.attempt ?? "?")}, ${retry}): ${text(payload.error) ?? "unknown error"}`;
    }
    default:
      return type;
  }
}
