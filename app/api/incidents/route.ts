import { route } from "@/lib/http/route";
import { declareIncident, DeclareIncidentInput } from "@/lib/incidents/declare-incident";
import { listIncidents, ListIncidentsInput } from "@/lib/incidents/list-incidents";

export const GET = route({ role: "viewer", query: ListIncidentsInput }, ({ ctx, input }) => listIncidents({ ctx, input: input.query }));

export const POST = route({ role: "operator", body: DeclareIncidentInput }, async ({ ctx, input }) =>
  Response.json(await declareIncident({ ctx, input: input.body }), { status: 201 }),
);
