import { route } from "@/lib/http/route";
import { listTemplates } from "@/lib/incidents/list-templates";
import { saveTemplate, SaveTemplateInput } from "@/lib/incidents/save-template";

export const GET = route({ role: "viewer" }, ({ ctx }) => listTemplates({ ctx }));

/** Saves a new version of the checklist and makes it current (existing incidents keep theirs). */
export const POST = route({ role: "admin", body: SaveTemplateInput }, async ({ ctx, input }) =>
  Response.json(await saveTemplate({ ctx, input: input.body }), { status: 201 }),
);
