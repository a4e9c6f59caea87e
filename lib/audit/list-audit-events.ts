import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";

const OptionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => (v ? v : undefined));

const OptionalInstant = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const date = new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be a date and time, e.g. 2026-11-25T10:00:00Z" });
      return z.NEVER;
    }
    return date;
  });

export const ListAuditEventsInput = z
  .object({
    actor: OptionalText,
    action: OptionalText,
    outcome: z
      .enum(["ok", "denied", "unauthenticated", "failed"])
      .optional()
      .or(z.literal("").transform(() => undefined)),
    from: OptionalInstant,
    to: OptionalInstant,
    /** Keyset cursor: show events older than this id. */
    before: z
      .string()
      .regex(/^\d+$/, "must be an event id")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "must not be after `to`", path: ["from"] });
export type ListAuditEventsInput = z.infer<typeof ListAuditEventsInput>;

export interface AuditEventView {
  id: string;
  at: string;
  actorEmail: string;
  action: string;
  outcome: string;
  subjectType: string | null;
  subjectId: string | null;
  payload: unknown;
  requestId: string;
}

export interface AuditEventPage {
  events: AuditEventView[];
  /** Cursor for the next (older) page, or null at the end. */
  nextBefore: string | null;
}

/** Newest first, filtered by actor (substring), action (prefix), outcome and time range. */
export async function listAuditEvents({
  ctx,
  input: q,
}: {
  ctx: Ctx<SessionUser | null>;
  input: ListAuditEventsInput;
}): Promise<AuditEventPage> {
  const where: Prisma.AuditEventWhereInput = {
    ...(q.actor ? { actorEmail: { contains: q.actor, mode: "insensitive" } } : {}),
    ...(q.action ? { action: { startsWith: q.action } } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.from || q.to ? { at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) } } : {}),
    ...(q.before ? { id: { lt: BigInt(q.before) } } : {}),
  };
  const rows = await ctx.db.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return {
    events: page.map((r) => ({
      id: r.id.toString(),
      at: r.at.toISOString(),
      actorEmail: r.actorEmail,
      action: r.action,
      outcome: r.outcome,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      payload: r.payload,
      requestId: r.requestId,
    })),
    nextBefore: rows.length > q.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}

/** Distinct actions seen, for the filter's suggestions. */
export async function listAuditActions({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<string[]> {
  const rows = await ctx.db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}
