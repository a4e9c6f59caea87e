import { z } from "zod";

/**
 * Counts recorded at dump time for named validation checks, e.g. `{ orphaned_payments: 1 }`, so
 * a restore can be compared with its source. Tolerant: an entry that is not a count is dropped,
 * and a `checks` that is not an object is ignored, never making the whole manifest unreadable.
 */
export const ManifestChecks = z
  .record(z.string(), z.unknown())
  .transform((entries) =>
    Object.fromEntries(
      Object.entries(entries).filter((entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && (entry[1] as number) >= 0),
    ),
  )
  .optional()
  .catch(undefined);

/**
 * The roles the dump's objects belong to or are granted to (`roles`), so a plan can name the
 * ones the target lacks before anything runs. Tolerant like `checks`.
 */
export const ManifestRoles = z
  .array(z.unknown())
  .transform((roles) => roles.filter((role): role is string => typeof role === "string" && role.length > 0 && role.length <= 63))
  .optional()
  .catch(undefined);

/** A nightly dump's manifest (`<date>.manifest.json` beside `<date>.sql.gz`). */
export const Manifest = z
  .object({
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hexadecimal characters")
      .transform((s) => s.toLowerCase()),
    size: z.number().int().nonnegative(),
    created_at: z.iso.datetime({ offset: true }),
    file: z.string().optional(),
    format: z.string().optional(),
    pg_version: z.string().optional(),
    source_database: z.string().optional(),
    tables: z.record(z.string(), z.number().int().nonnegative()).optional(),
    checks: ManifestChecks,
    roles: ManifestRoles,
  })
  .loose();
export type Manifest = z.infer<typeof Manifest>;

export type ManifestState = "present" | "missing" | "unreadable" | "names-another-file";
export type DumpFormat = "plain-gzip" | "custom";

/** Manifests are small; anything bigger is not one. */
export const MAX_MANIFEST_BYTES = 1 << 20;

export type ClassifiedKey =
  | { kind: "dump"; name: string; base: string; format: DumpFormat }
  | { kind: "manifest"; name: string; base: string }
  | { kind: "other"; name: string };

const DUMP_SUFFIXES: Array<[string, DumpFormat]> = [
  [".sql.gz", "plain-gzip"],
  [".dump", "custom"],
];
const MANIFEST_SUFFIX = ".manifest.json";

/** What an object under the prefix is, by its name (the key without the prefix). */
export function classifyKey(name: string): ClassifiedKey {
  if (name.endsWith(MANIFEST_SUFFIX) && name.length > MANIFEST_SUFFIX.length) {
    return { kind: "manifest", name, base: name.slice(0, -MANIFEST_SUFFIX.length) };
  }
  for (const [suffix, format] of DUMP_SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) return { kind: "dump", name, base: name.slice(0, -suffix.length), format };
  }
  return { kind: "other", name };
}

export function manifestNameFor(base: string): string {
  return `${base}${MANIFEST_SUFFIX}`;
}

/** `2026-11-24` (optionally followed by more) at the start of a name, as midnight UTC. */
export function dateFromName(name: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?!\d)/.exec(name);
  if (!match) return null;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${match[1]}-${match[2]}-${match[3]}` ? null : date;
}

export type ManifestReading =
  | { state: "present"; manifest: Manifest }
  | { state: "names-another-file"; manifest: Manifest; error: string }
  | { state: "unreadable"; error: string };

/** Parses a manifest's bytes and checks that it describes `dumpName` (the file name, without folders). */
export function readManifest(bytes: Buffer, dumpName: string): ManifestReading {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { state: "unreadable", error: "The manifest is not valid JSON." };
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    return {
      state: "unreadable",
      error: `The manifest is not in the expected form: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}`,
    };
  }
  const fileName = dumpName.split("/").at(-1) ?? dumpName;
  if (parsed.data.file !== undefined && parsed.data.file !== fileName) {
    return {
      state: "names-another-file",
      manifest: parsed.data,
      error: `The manifest describes ${JSON.stringify(parsed.data.file)}, not ${JSON.stringify(fileName)}.`,
    };
  }
  return { state: "present", manifest: parsed.data };
}
