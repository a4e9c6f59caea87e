import { route } from "@/lib/http/route";
import { describePitrWindow, DescribePitrWindowInput } from "@/lib/restore/pitr/describe-pitr-window";

/** What the environment can be restored to now, described afresh; nothing changes. */
export const GET = route({ role: "viewer", query: DescribePitrWindowInput }, ({ ctx, input }) =>
  describePitrWindow({ ctx, input: input.query }),
);
