import { listPitrBaseBackups, ListPitrBaseBackupsInput } from "@/lib/restore/pitr/base-backups/list-pitr-base-backups";
import { requestPitrBaseBackup, RequestPitrBaseBackupInput } from "@/lib/restore/pitr/base-backups/request-pitr-base-backup";
import { route } from "@/lib/http/route";

export const GET = route({ role: "viewer", query: ListPitrBaseBackupsInput }, ({ input }) => listPitrBaseBackups({ input: input.query }));

/** A base backup of a local PITR source, taken by the worker now. */
export const POST = route({ role: "operator", body: RequestPitrBaseBackupInput.optional() }, async ({ ctx, input }) =>
  Response.json(await requestPitrBaseBackup({ ctx, input: input.body ?? {} }), { status: 202 }),
);
