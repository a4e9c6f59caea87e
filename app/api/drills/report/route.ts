import { z } from "zod";
import { route } from "@/lib/http/route";
import { EXPORT_FORMATS, exportDrillEvidence } from "@/lib/restore/drill/drill-report";
import { ListDrillsInput } from "@/lib/restore/drill/list-drills";

const ReportQuery = ListDrillsInput.and(z.object({ format: z.enum(EXPORT_FORMATS).default("markdown") }));

/** The drill evidence of a period: Markdown to download, or a printable HTML page. */
export const GET = route({ role: "viewer", query: ReportQuery }, async ({ ctx, input }) => {
  const { format, ...period } = input.query;
  const report = await exportDrillEvidence({ ctx, input: period, format });
  const disposition = format === "markdown" ? "attachment" : "inline";
  return new Response(report.body, {
    headers: {
      "content-type": report.contentType,
      "content-disposition": `${disposition}; filename="${report.filename}"`,
      "cache-control": "no-store",
    },
  });
});
