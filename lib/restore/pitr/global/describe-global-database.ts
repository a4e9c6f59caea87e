import { z } from "zod";
import { fourEyesRule, type FourEyesRule } from "@/lib/approvals/four-eyes-rule";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { errorMessage } from "@/lib/errors";
import type { GlobalDatabaseState } from "@/lib/providers/aws/aurora-global-failover";
import { createAuroraGlobalFailover } from "@/lib/providers/aws/create-pitr-provider";
import type { GlobalDatabaseConfigView } from "../dr";
import { PITR_TARGET_NAME } from "../plan";
import { globalPromotionView, type GlobalPromotionView } from "./global-promotion-views";
import { resolveGlobalDatabase } from "./resolve-global-database";
import { settleGlobalPromotions } from "./settle-global-promotions";

export const DescribeGlobalDatabaseInput = z.object({ environment: z.string().min(1).max(63).optional() });
export type DescribeGlobalDatabaseInput = z.infer<typeof DescribeGlobalDatabaseInput>;

/** The global database as RDS describes it, as JSON. */
export type GlobalDatabaseStateView = Omit<GlobalDatabaseState, "describedAt"> & { describedAt: string };

export interface GlobalDatabaseSummary {
  environment: string;
  config: GlobalDatabaseConfigView;
  /** Described now from the DR region; null when RDS did not answer (see `problem`). */
  state: GlobalDatabaseStateView | null;
  problem: string | null;
  /** Newest first: the one under way, when there is one, and the latest outcomes. */
  promotions: GlobalPromotionView[];
  /** The terms when a second person must approve a promotion; null when one admin may do it. */
  fourEyes: FourEyesRule | null;
}

const PROMOTIONS_SHOWN = 5;

/**
 * An environment's Aurora global database for the point-in-time recovery page: its members,
 * writer and DR cluster as RDS describes them now (asked in the DR region, so a primary region
 * that is down does not matter), and the promotions asked for. A state RDS cannot give is said,
 * not thrown: the promotion must stay possible when describing fails. Changes nothing but
 * settling promotions that can no longer end by themselves.
 */
export async function describeGlobalDatabase({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: DescribeGlobalDatabaseInput;
}): Promise<GlobalDatabaseSummary> {
  const { environment, source, config } = resolveGlobalDatabase(input.environment);
  await settleGlobalPromotions({ ctx, input: { environment: environment.name } });
  const [described, rows] = await Promise.all([
    createAuroraGlobalFailover(source)
      .describeGlobalCluster()
      .then(
        (state) => ({ state: { ...state, describedAt: state.describedAt.toISOString() }, problem: null }),
        (error: unknown) => ({ state: null, problem: errorMessage(error) }),
      ),
    ctx.db.globalPromotion.findMany({
      where: { environment: environment.name },
      orderBy: { createdAt: "desc" },
      take: PROMOTIONS_SHOWN,
    }),
  ]);
  return {
    environment: environment.name,
    config,
    ...described,
    promotions: rows.map(globalPromotionView),
    fourEyes: fourEyesRule(environment, "global-promotion", PITR_TARGET_NAME),
  };
}
