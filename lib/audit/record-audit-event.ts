import type { SessionUser } from "@/lib/auth/roles";
import type { DbOrTx } from "@/lib/db/client";
import type { Ctx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";

export type AuditOutcome = "ok" | "denied" | "unauthenticated" | "failed";

export interface AuditActor {
  id: string | null;
  email: string;
}

export const ANONYMOUS: AuditActor = { id: null, email: "anonymous" };
export const SYSTEM: AuditActor = { id: null, email: "system" };

/** Who a ctx's audit records name: its person, or SYSTEM where nobody is signed in (jobs, the CLI). */
export function actorOf(ctx: Pick<Ctx<SessionUser | null>, "user">): AuditActor {
  return ctx.user ? { id: ctx.user.id, email: ctx.user.email } : SYSTEM;
}

export interface AuditEventInput {
  actor: AuditActor;
  action: string;
  outcome?: AuditOutcome;
  subject?: { type: string; id: string };
  payload?: Record<string, unknown>;
  requestId: string;
}

/** Words that name a secret when they are a whole segment of a key (`dbPassword`, `api_token`). */
const SECRET_WORDS = new Set([
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "secrets",
  "token",
  "tokens",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "cookies",
  "apikey",
  "privatekey",
  "accesskey",
  "secretkey",
  "signingkey",
  "dsn",
  "passfile",
  // A webhook URL is itself the credential (Slack-style endpoints).
  "webhook",
  "webhooks",
]);
/** Two adjacent segments that name a secret together (`apiKey`, `private_key`, `connectionString`). */
const SECRET_PAIRS = new Set(["api key", "private key", "access key", "secret key", "signing key", "connection string", "database url"]);

const SECRET_SUFFIXES = ["password", "secret", "token", "apikey"];

/** A key's words: camelCase, PascalCase, ACRONYMCase, snake_case, kebab-case and dotted keys split; lower-cased. */
export function keySegments(key: string): string[] {
  return (key.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((segment) => segment.toLowerCase());
}

/**
 * Whether a key names a secret: a secret word as a WHOLE segment of it, never a substring of
 * an ordinary word — `passed`, `bypass`, `tokenizer` or `passengerCount` are kept;
 * `password`, `dbPassword`, `x-api-key`, `AUTHORIZATION`, `sessionToken` are redacted.
 */
export function isSecretKey(key: string): boolean {
  const segments = keySegments(key);
  return segments.some(
    (segment, i) =>
      SECRET_WORDS.has(segment) ||
      (i > 0 && SECRET_PAIRS.has(`${segments[i - 1]} ${segment}`)) ||
      // all-lower-case compounds: `sessiontoken`, `clientsecret`, `dbpassword`
      SECRET_SUFFIXES.some((suffix) => segment.length > suffix.length && segment.endsWith(suffix)),
  );
}

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
      // A flag under a secret's name (`passwordChangeRequired: true`) cannot leak the secret.
      const harmless = v === null || v === undefined || typeof v === "boolean";
      out[key] = isSecretKey(key) && !harmless ? "[redacted]" : redactPayload(v, depth + 1);
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
