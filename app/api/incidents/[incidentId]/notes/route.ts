import { z } from "zod";
import { route } from "@/lib/http/route";
import { addNote, AddNoteInput } from "@/lib/incidents/add-note";

export const POST = route({ role: "operator", params: z.object({ incidentId: z.uuid() }), body: AddNoteInput }, async ({ ctx, input }) => {
  await addNote({ ctx, input: { ...input.body, ...input.params } });
  return new Response(null, { status: 204 });
});
