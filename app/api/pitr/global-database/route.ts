import { route } from "@/lib/http/route";
import { describeGlobalDatabase, DescribeGlobalDatabaseInput } from "@/lib/restore/pitr/global/describe-global-database";

/** The environment's Aurora global database as RDS describes it now from the DR region, and its promotions. */
export const GET = route({ role: "viewer", query: DescribeGlobalDatabaseInput }, ({ ctx, input }) =>
  describeGlobalDatabase({ ctx, input: input.query }),
);
