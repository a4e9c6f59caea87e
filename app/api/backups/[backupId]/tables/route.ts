import { z } from "zod";
import { getBackupTables } from "@/lib/backups/get-backup-tables";
import { requestBackupTables } from "@/lib/backups/request-backup-tables";
import { route } from "@/lib/http/route";

const params = z.object({ backupId: z.uuid() });

/** The tables read from the backup, or where reading them stands (unread, reading, failed). */
export const GET = route({ role: "viewer", params }, ({ ctx, input }) => getBackupTables({ ctx, input: input.params }));

/** Reads the backup's tables once (a job); 202 while reading, the cached list once read. */
export const POST = route({ role: "operator", params }, async ({ ctx, input }) => {
  const view = await requestBackupTables({ ctx, input: input.params });
  return Response.json(view, { status: view.state === "ready" ? 200 : 202 });
});
