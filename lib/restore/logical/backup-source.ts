import { z } from "zod";
import { formatUtc } from "@/lib/format";
import { manifestNameFor, MAX_MANIFEST_BYTES, readManifest, classifyKey } from "@/lib/backups/manifest";
import { storeLocation } from "@/lib/backups/replica-health";
import { backupStoreFor, PRIMARY_STORE } from "@/lib/backups/store-for-environment";
import type { EnvironmentConfig } from "@/lib/config/schema";
import type { DbOrTx } from "@/lib/db/client";
import { errorMessage } from "@/lib/errors";
import { rejectAfter } from "@/lib/within";
import type { PlanSource, PreflightCheck } from "./plan";

/** Where the dump is read from: "primary", a replica's name, or absent for "the primary, else a replica". */
export const BackupSourceChoice = z.string().min(1).max(63).optional();

/** How long the primary store may take to answer before a replica is considered. */
const STORE_ANSWER_MS = 10_000;

export interface SourceDecision {
  /** The replica to read from; null for the primary. */
  replica: PlanSource["replica"] | null;
  /** The checksum the dump must have as it streams. */
  sha256: string | null;
  /** The preflight line saying where the dump is read from and why. */
  check: PreflightCheck;
}

type BackupRef = Pick<PlanSource, "backupId" | "name" | "key" | "size" | "sha256">;

function withinAnswerTime<T>(work: Promise<T>, what: string): Promise<T> {
  return rejectAfter(work, STORE_ANSWER_MS, `${what} did not answer within ${STORE_ANSWER_MS / 1000} s.`);
}

/** The primary holds the dump as the catalog knows it: null when so, else why not. */
async function primaryProblem(environment: EnvironmentConfig, backup: BackupRef): Promise<string | null> {
  try {
    const store = await backupStoreFor(environment, PRIMARY_STORE);
    const object = await withinAnswerTime(store.stat(backup.key), "The primary backup store");
    if (!object) return `The primary store no longer holds ${backup.name}.`;
    if (object.size !== backup.size)
      return `${backup.name} in the primary store is ${object.size} bytes, not the ${backup.size} the catalog holds.`;
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

type ReplicaReading = { ok: true; replica: NonNullable<PlanSource["replica"]>; sha256: string } | { ok: false; problem: string };

/**
 * Whether one replica can serve this backup now: its last listing found the same size and ETag as
 * the primary's, it answers with that size, and its manifest (if it has one) gives the primary
 * manifest's checksum (as the catalog last read it). With no primary checksum known (an admin's
 * override), the replica's own valid manifest must give one: a copy is never read unchecked.
 */
async function readReplica(
  db: DbOrTx,
  environment: EnvironmentConfig,
  name: string,
  backup: BackupRef,
  reason: string,
): Promise<ReplicaReading> {
  const config = environment.backupReplicas.find((r) => r.name === name);
  if (!config) return { ok: false, problem: `${environment.name} has no backup replica named "${name}".` };
  const label = config.label ?? config.name;
  const copy = await db.backupReplicaCopy.findUnique({ where: { backupId_replica: { backupId: backup.backupId, replica: name } } });
  if (!copy) return { ok: false, problem: `${label} has not been listed since ${backup.name} was catalogued.` };
  if (copy.state === "missing") return { ok: false, problem: `${label} does not hold ${backup.name}: it was never copied there.` };
  if (copy.state !== "same") return { ok: false, problem: `${label}'s copy of ${backup.name} differs from the primary's (size or ETag).` };
  try {
    const store = await backupStoreFor(environment, name);
    const key = store.prefix + backup.name;
    const object = await withinAnswerTime(store.stat(key), label);
    if (!object) return { ok: false, problem: `${label} no longer holds ${backup.name}.` };
    if (object.size !== backup.size) {
      return { ok: false, problem: `${label}'s copy of ${backup.name} is now ${object.size} bytes, not the primary's ${backup.size}.` };
    }
    const classified = classifyKey(backup.name);
    const manifestKey = store.prefix + manifestNameFor(classified.kind === "dump" ? classified.base : backup.name);
    const manifestObject = await withinAnswerTime(store.stat(manifestKey), label);
    // Only a manifest that reads as this dump's says anything about it.
    const reading = manifestObject
      ? readManifest(await withinAnswerTime(store.readSmall(manifestKey, MAX_MANIFEST_BYTES), label), backup.name)
      : null;
    const replicaSha = reading?.state === "present" ? reading.manifest.sha256 : null;
    if (backup.sha256 !== null && replicaSha !== null && replicaSha !== backup.sha256) {
      return {
        ok: false,
        problem: `${label}'s manifest gives the checksum ${replicaSha}, not the primary manifest's ${backup.sha256}: that copy is not the same backup.`,
      };
    }
    const sha256 = backup.sha256 ?? replicaSha;
    if (sha256 === null) {
      return {
        ok: false,
        problem: `Neither the primary nor ${label} has a valid manifest for ${backup.name}: there is no checksum to read the copy against.`,
      };
    }
    return { ok: true, replica: { name, label, location: storeLocation(config.store), key, reason }, sha256 };
  } catch (error) {
    return { ok: false, problem: `${label}: ${errorMessage(error)}` };
  }
}

/** What a person can try instead: the newest backup a replica holds with the primary's size and ETag. */
async function newestReplicaCopy(db: DbOrTx, environment: EnvironmentConfig, refusedId: string): Promise<string | null> {
  const copy = await db.backupReplicaCopy.findFirst({
    where: {
      backupId: { not: refusedId },
      replica: { in: environment.backupReplicas.map((r) => r.name) },
      state: "same",
      backup: { environment: environment.name },
    },
    orderBy: { backup: { takenAt: "desc" } },
    include: { backup: { select: { name: true, takenAt: true } } },
  });
  if (!copy) return null;
  const label = environment.backupReplicas.find((r) => r.name === copy.replica)?.label ?? copy.replica;
  return `The newest backup ${label} holds with the primary's size and ETag is ${copy.backup.name} (taken ${formatUtc(copy.backup.takenAt, "minute")}): try that one.`;
}

const check = (status: PreflightCheck["status"], message: string): PreflightCheck => ({
  name: "source-store",
  title: "Backup source",
  status,
  message,
});

/**
 * Where a logical restore reads its dump. Asked for a store, that store (failing the preflight
 * when it cannot serve). Otherwise the primary while it answers and holds the dump; when it does
 * not (a regional failure), the first replica, in the configuration's order, holding an exact copy.
 */
export async function decideBackupSource(
  db: DbOrTx,
  environment: EnvironmentConfig,
  backup: BackupRef,
  choice: string | undefined,
): Promise<SourceDecision> {
  const primary = { replica: null, sha256: backup.sha256 };
  if (choice !== undefined && choice !== PRIMARY_STORE) {
    const reading = await readReplica(db, environment, choice, backup, "chosen by the person who started the restore");
    return reading.ok
      ? {
          replica: reading.replica,
          sha256: reading.sha256,
          check: check(
            "passed",
            `Reading from ${reading.replica.label} (${reading.replica.location}), as chosen; the dump is checked against the checksum ${reading.sha256} as it streams.`,
          ),
        }
      : { ...primary, check: check("failed", reading.problem) };
  }
  const problem = await primaryProblem(environment, backup);
  if (problem === null)
    return { ...primary, check: check("passed", `Reading from the primary backup store, which answers and holds ${backup.name}.`) };
  if (choice === PRIMARY_STORE || environment.backupReplicas.length === 0) return { ...primary, check: check("failed", problem) };

  const refused: string[] = [];
  for (const replica of environment.backupReplicas) {
    const reason = `the primary store cannot serve it (${problem})`;
    const reading = await readReplica(db, environment, replica.name, backup, reason);
    if (reading.ok) {
      return {
        replica: reading.replica,
        sha256: reading.sha256,
        check: check(
          "warning",
          `The primary store cannot serve ${backup.name}: ${problem} Reading from ${reading.replica.label} (${reading.replica.location}) instead: an exact copy, checked against the checksum ${reading.sha256} as it streams. The run is recorded as a cross-region restore.`,
        ),
      };
    }
    refused.push(reading.problem);
  }
  const offer = await newestReplicaCopy(db, environment, backup.backupId);
  return {
    ...primary,
    check: check(
      "failed",
      `The primary store cannot serve ${backup.name}: ${problem} No replica can either: ${refused.join(" ")}${offer ? ` ${offer}` : ""}`,
    ),
  };
}

export interface ReplicaOption {
  name: string;
  label: string;
  /** What its latest listing found of this backup; null when it has not been listed since. */
  state: string | null;
}

/** The replicas a person may choose to read this backup from, with what each holds of it. */
export async function replicaOptionsFor(db: DbOrTx, environment: EnvironmentConfig, backupId: string): Promise<ReplicaOption[]> {
  if (environment.backupReplicas.length === 0) return [];
  const copies = await db.backupReplicaCopy.findMany({ where: { backupId }, select: { replica: true, state: true } });
  return environment.backupReplicas.map((replica) => ({
    name: replica.name,
    label: replica.label ?? replica.name,
    state: copies.find((copy) => copy.replica === replica.name)?.state ?? null,
  }));
}
