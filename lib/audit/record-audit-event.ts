import type { DbOrTx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";

export type AuditOutcome = "ok" | "denied" | "unauthenticated" | "failed";

export interface AuditActor {
  id: string | null;
  email: string;
}

export const ANONYMOUS: AuditActor = { id: null, email: "anonymous" };
export const SYSTEM: AuditActor = { id: null, email: "system" };

export interface AuditEventInput {
  actor: AuditActor;
  action: string;
  outcome?: AuditOutcome;
  subject?: { type: string; id: string };
  payload?: Record<string, unknown>;
  requestId: string;
}

const SECRET_KEY = /pass(word)?|secret|token|credential|authorization|cookie|api[-_]?key|private[-_]?key|webhook/i;
const MAX_STRING = 2_000;

/**
 * Makes a payload safe to keep forever: values under secret-looking keys are replaced,
 * long strings are cut, and only JSON survives.
 */
export function redactPayload(value: unknown, depth = 0): Prisma.InputJsonValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth > 6) return "[nested too deep]";
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactPayload(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, Prisma.InputJsonValue | null> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? "[redacted]" : redactPayload(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

/** Appends one event to the audit log (append-only; the database refuses changes). */
export async function recordAuditEvent(db: DbOrTx, input: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: input.actor.id,
      actorEmail: input.actor.email,
      action: input.action,
      outcome: input.outcome ?? "ok",
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      payload: redactPayload(input.payload ?? {}) ?? {},
      requestId: input.requestId,
    },
  });
}
