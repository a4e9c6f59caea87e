import "server-only";
import { createHash } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { BadRequestError } from "@/lib/errors";
import { NameCollisionError, type RecoveryPoint } from "@/lib/providers/pitr";

// A local PITR run's folder, `<restoreDir>/<run>`: the restored data directory, the server's log,
// a marker naming the run, and the deletion protection. Every step reads the marker first: the
// folder is adopted when the marker is ours and never touched when it is not.

const MARKER_FILE = "restore-console-run.json";
/** A run's folder name: 8 hex characters of the run id's hash (see runDir). */
export const RUN_FOLDER = /^[0-9a-f]{8}$/;
const PROTECTION_FILE = "restore-console-deletion-protection.json";

const RunMarker = z.object({
  runId: z.string(),
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("latest") }),
    z.object({ kind: z.literal("time"), time: z.iso.datetime() }),
  ]),
  baseBackup: z.string(),
  createdAt: z.iso.datetime(),
  /** Set each time the server is started: where to reach it, and where its log for that start begins. */
  port: z.number().int().positive().optional(),
  logOffset: z.number().int().nonnegative().optional(),
});
export type RunMarker = z.infer<typeof RunMarker>;

export type MarkerState = { state: "absent" } | { state: "ours"; marker: RunMarker } | { state: "foreign"; reason: string };

/** `<restoreDir>/<8 hex of sha256(run id)>`: deterministic, filesystem-safe, distinct for ids sharing a prefix. */
export function runDir(restoreDir: string, runId: string): string {
  if (!runId) throw new BadRequestError("A restore run needs an id.");
  return path.join(restoreDir, createHash("sha256").update(runId).digest("hex").slice(0, 8));
}

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (info) => info.size,
    () => 0,
  );
}

/** Whose folder `dir` is, from its marker: absent, this run's, or someone else's (and why). */
export async function readMarker(dir: string, runId: string): Promise<MarkerState> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MARKER_FILE), "utf8");
  } catch {
    return (await exists(dir)) ? { state: "foreign", reason: `it has no ${MARKER_FILE}` } : { state: "absent" };
  }
  let parsed;
  try {
    parsed = RunMarker.safeParse(JSON.parse(text));
  } catch {
    return { state: "foreign", reason: `its ${MARKER_FILE} is not readable` };
  }
  if (!parsed.success) return { state: "foreign", reason: `its ${MARKER_FILE} is not readable` };
  if (parsed.data.runId !== runId) return { state: "foreign", reason: `it belongs to run ${parsed.data.runId}` };
  return { state: "ours", marker: parsed.data };
}

/** Written whole or not at all: a half-written marker would make our own folder look foreign. */
export async function writeMarker(dir: string, marker: RunMarker): Promise<void> {
  const file = path.join(dir, MARKER_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** The target as the marker records it (JSON: the time as an ISO string). */
export function markerTarget(target: RecoveryPoint): RunMarker["target"] {
  return target.kind === "latest" ? { kind: "latest" } : { kind: "time", time: target.time.toISOString() };
}

export function targetOf(marker: RunMarker): RecoveryPoint {
  return marker.target.kind === "latest" ? { kind: "latest" } : { kind: "time", time: new Date(marker.target.time) };
}

export function sameTarget(recorded: RunMarker["target"], target: RecoveryPoint): boolean {
  if (recorded.kind === "latest" || target.kind === "latest") return recorded.kind === target.kind;
  return new Date(recorded.time).getTime() === target.time.getTime();
}

/**
 * Deletion protection, the local equivalent of RDS's flag: a file in the run's folder saying
 * it may serve an application now. Written with the restore; only clean-up removes it.
 */
export async function protect(dir: string, runId: string, now: () => Date): Promise<void> {
  const file = path.join(dir, PROTECTION_FILE);
  if (await exists(file)) return;
  const note = {
    runId,
    protectedAt: now().toISOString(),
    why: "This restored server may serve an application after a cutover; only the run's clean-up in Restore Console removes it.",
  };
  await writeFile(file, `${JSON.stringify(note, null, 2)}\n`, { mode: 0o600 });
}

export async function liftProtection(dir: string): Promise<void> {
  await rm(path.join(dir, PROTECTION_FILE), { force: true });
}

export function collisionError(dir: string, reason: string): NameCollisionError {
  return new NameCollisionError(
    `${dir} already exists and is not this run's (${reason}). Nothing was changed. Move it away, or point restoreDir elsewhere.`,
  );
}
