// The kinds of event a run's feed carries. Pure data, so the browser's live view and the server
// share one list.
export const RUN_EVENT_TYPES = [
  "run.created",
  "status",
  "step.started",
  "step.succeeded",
  "step.failed",
  "step.cancelled",
  "progress",
  "message",
  "validation",
  "swap",
  "rollback",
  "cleanup",
  "cut-over",
  "cancel.requested",
  "sweeper",
  "approval",
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
