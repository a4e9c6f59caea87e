import { z } from "zod";
import type { GlobalPromotion } from "@/lib/generated/prisma/client";
import type { GlobalFailoverMode as ProviderMode } from "@/lib/providers/aws/aurora-global-failover";
import type { PitrEndpoint } from "@/lib/providers/pitr";

// Promotions of an Aurora global database's DR cluster as every caller sees them (dates as ISO
// strings, safe to send to a browser), and how their modes read to a person.

/** The provider's two transitions of the writer role, and detaching the DR cluster from the global database. */
export const GLOBAL_FAILOVER_MODES = ["switchover", "failover-allowing-data-loss", "detach"] as const satisfies ReadonlyArray<
  ProviderMode | "detach"
>;
export const GlobalFailoverMode = z.enum(GLOBAL_FAILOVER_MODES, {
  error:
    'expected "switchover" (no data loss; every region must answer), "failover-allowing-data-loss" (the primary region is down) or "detach" (the DR cluster leaves the global database)',
});
export type GlobalFailoverMode = z.infer<typeof GlobalFailoverMode>;

export const GLOBAL_FAILOVER_MODE_LABELS: Readonly<Record<GlobalFailoverMode, string>> = {
  switchover: "Switchover (no data loss; every region must answer)",
  "failover-allowing-data-loss": "Failover allowing data loss (the primary region is down)",
  detach: "Detach and promote (the DR cluster leaves the global database and takes writes on its own; replication ends)",
};

export const PROMOTION_STATUSES = ["awaiting-approval", "queued", "running", "succeeded", "failed", "refused", "expired"] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** Until one of these ends, the environment has no room for another promotion (the row's activeKey). */
export const ACTIVE_PROMOTION_STATUSES = ["awaiting-approval", "queued", "running"] as const satisfies ReadonlyArray<PromotionStatus>;

export interface GlobalPromotionView {
  id: string;
  environment: string;
  globalClusterIdentifier: string;
  mode: GlobalFailoverMode;
  status: PromotionStatus;
  reason: string | null;
  requestedByEmail: string;
  createdAt: string;
  /** Four-eyes: who may approve, and until when; null without four-eyes. */
  approval: { approverRole: "operator" | "admin"; expiresAt: string } | null;
  decidedByEmail: string | null;
  decidedAt: string | null;
  /** Why it was refused, when the person said. */
  decisionReason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The promoted cluster's writer endpoint, once it accepts writes. */
  endpoint: PitrEndpoint | null;
  /** False when RDS was already doing it (or had done it): this promotion sent nothing. */
  sent: boolean | null;
  log: string[];
  error: string | null;
}

const isStatus = (value: string): value is PromotionStatus => (PROMOTION_STATUSES as readonly string[]).includes(value);
const isMode = (value: string): value is GlobalFailoverMode => (GLOBAL_FAILOVER_MODES as readonly string[]).includes(value);

const StoredEndpoint = z.object({ host: z.string(), port: z.number(), database: z.string(), user: z.string(), identifier: z.string() });
const StoredLog = z.array(z.string());

export function globalPromotionView(row: GlobalPromotion): GlobalPromotionView {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    environment: row.environment,
    globalClusterIdentifier: row.globalClusterIdentifier,
    // The rows are ours: a value outside these lists is a bug, shown as the safest reading.
    mode: isMode(row.mode) ? row.mode : "failover-allowing-data-loss",
    status: isStatus(row.status) ? row.status : "failed",
    reason: row.reason,
    requestedByEmail: row.requestedByEmail,
    createdAt: row.createdAt.toISOString(),
    approval:
      row.approverRole && row.expiresAt
        ? { approverRole: row.approverRole === "admin" ? "admin" : "operator", expiresAt: row.expiresAt.toISOString() }
        : null,
    decidedByEmail: row.decidedByEmail,
    decidedAt: iso(row.decidedAt),
    decisionReason: row.decisionReason,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    endpoint: StoredEndpoint.safeParse(row.endpoint).data ?? null,
    sent: row.sent,
    log: StoredLog.safeParse(row.log).data ?? [],
    error: row.error,
  };
}
