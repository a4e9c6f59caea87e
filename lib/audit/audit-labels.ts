// The audit log in words: an action code ("restore.swap.confirm") as a person reads it, and a
// subject as a link to its page where it has one. Pure, for the Audit page.

const DOMAINS: Readonly<Record<string, string>> = {
  restore: "Restore",
  pitr: "Point-in-time restore",
  drill: "Drill",
  incident: "Incident",
  approval: "Approval",
  backup: "Backup",
  rows: "Row recovery",
  alert: "Alert",
  user: "Person",
  api_token: "API token",
  api: "API",
  auth: "Sign-in",
  demo: "Demo",
};

/** Codes whose words read better said differently than split apart. */
const PHRASES: Readonly<Record<string, string>> = {
  "restore.swap.confirm": "Restore: swap confirmed",
  "restore.swap.reverted": "Restore: swap undone by the sweeper",
  "restore.validation.accept": "Restore: validation failures accepted",
  "alert.fire": "Alert fired",
  "alert.resolve": "Alert resolved",
  "api.access": "API: access refused",
  "incident.evidence": "Incident: evidence recorded by the system",
  "drill.evidence.exported": "Drill: evidence exported",
  "drill.not-started": "Drill: scheduled drill did not start",
  "auth.sign_in": "Signed in",
  "auth.sign_out": "Signed out",
  "user.sso_link": "Person: single sign-on linked",
  "user.sso_unlink": "Person: single sign-on unlinked",
  "demo.outage.start": "Demo: simulated primary region outage started",
  "demo.outage.end": "Demo: simulated primary region outage ended",
};

/** "restore.rollback.start" → "Restore: rollback start"; unknown domains keep their code's words. */
export function auditActionLabel(action: string): string {
  const phrase = PHRASES[action];
  if (phrase) return phrase;
  const [domain = action, ...rest] = action.split(".");
  const words = rest.join(" ").replaceAll(/[-_]/g, " ");
  return words ? `${DOMAINS[domain] ?? domain}: ${words}` : (DOMAINS[domain] ?? domain);
}

const SUBJECT_PAGES: Readonly<Record<string, (id: string) => string>> = {
  "restore-run": (id) => `/restores/${id}`,
  incident: (id) => `/incidents/${id}`,
  backup: (id) => `/backups/${id}`,
};

const SUBJECT_NAMES: Readonly<Record<string, string>> = {
  "restore-run": "Run",
  incident: "Incident",
  backup: "Backup",
  user: "Person",
  "api-token": "API token",
  approval: "Approval",
  alert: "Alert",
  environment: "Environment",
  "checklist-template": "Checklist template",
  "row-comparison": "Row comparison",
};

/** A subject as words, and the page that shows it when there is one. */
export function auditSubject(type: string | null, id: string | null): { label: string; href: string | null } | null {
  if (!type) return null;
  const name = SUBJECT_NAMES[type] ?? type;
  return { label: id ? `${name} ${id}` : name, href: id ? (SUBJECT_PAGES[type]?.(id) ?? null) : null };
}
