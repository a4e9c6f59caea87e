import { listAuditEvents, ListAuditEventsInput } from "@/lib/audit/list-audit-events";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", query: ListAuditEventsInput }, ({ ctx, input }) => listAuditEvents({ ctx, input: input.query }));
