// The incident's life: open → recovering → recovered → closed. Pure, so the UI and the verbs
// agree on which buttons exist and which updates are guarded.

export const INCIDENT_STATUSES = ["open", "recovering", "recovered", "closed"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const SEVERITIES = ["sev1", "sev2", "sev3", "sev4"] as const;
export type Severity = (typeof SEVERITIES)[number];

const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ["recovering"],
  recovering: ["recovered"],
  recovered: ["closed"],
  closed: [],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function nextStatuses(from: IncidentStatus): readonly IncidentStatus[] {
  return TRANSITIONS[from];
}

export function isTerminal(status: IncidentStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** Still being worked: the system ticks evidence into these and their phase timers run. */
export function isActive(status: IncidentStatus): boolean {
  return status === "open" || status === "recovering";
}

/** The checklist and notes stay editable until the incident is closed. */
export function acceptsChanges(status: IncidentStatus): boolean {
  return !isTerminal(status);
}

/** The post-incident review is written once the data is back. */
export function canReview(status: IncidentStatus): boolean {
  return status === "recovered" || status === "closed";
}

/** What a person clicks to make the move, e.g. "Mark recovered". */
export const TRANSITION_LABELS: Readonly<Record<Exclude<IncidentStatus, "open">, string>> = {
  recovering: "Start recovery",
  recovered: "Mark recovered",
  closed: "Close incident",
};
