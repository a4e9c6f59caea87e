import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  canCreateDatabases,
  databaseSize,
  existingDatabases,
  listSessions,
  serverVersion,
  type AdminTarget,
} from "@/lib/providers/postgres/admin";
import { listRoles, resolveOwnerRole } from "@/lib/providers/postgres/loader-role";
import { findPgTool } from "@/lib/providers/postgres/tools";
import { plural } from "@/lib/format";
import type { PreflightCheck, PreflightReport, RestoreMode } from "./plan";

const execFileAsync = promisify(execFile);

/** A restored database is typically this many times the gzipped dump (text, indexes). */
const RESTORED_SIZE_FACTOR = 5;

export interface PreflightInput {
  admin: AdminTarget;
  mode: RestoreMode;
  liveDatabase: string;
  scratchDatabase: string;
  newDatabase: string | null;
  source: { format: "plain-gzip" | "custom"; size: number; pgVersion: string | null; roles?: string[] | null };
  /** The target's configured owner role; absent: the owner of the live database. */
  ownerRole?: string | undefined;
}

function majorOf(version: string | null): number | null {
  const match = version ? /^(\d+)/.exec(version.trim()) : null;
  return match?.[1] ? Number(match[1]) : null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatGb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

/** The installed tool's major version, e.g. "pg_restore (PostgreSQL) 15.14 (Debian…)" → 15. */
async function toolCheck(format: PreflightInput["source"]["format"], dumpMajor: number | null): Promise<PreflightCheck> {
  const tool = format === "custom" ? "pg_restore" : "psql";
  const title = "Restore tools";
  try {
    const { stdout } = await execFileAsync(await findPgTool(tool), ["--version"], { timeout: 10_000 });
    const major = majorOf(/\)\s*(\d+)/.exec(stdout)?.[1] ?? null);
    if (format === "custom" && dumpMajor !== null && major !== null && major < dumpMajor) {
      return {
        name: "tools",
        title,
        status: "failed",
        message: `pg_restore ${major} cannot read an archive written by pg_dump ${dumpMajor}. Install PostgreSQL ${dumpMajor} client tools on the worker.`,
        details: { tool, major, dumpMajor },
      };
    }
    return {
      name: "tools",
      title,
      status: "passed",
      message: `${stdout.trim()} restores ${format === "custom" ? "custom-format archives" : "plain SQL dumps"}.`,
      details: { tool, major },
    };
  } catch (error) {
    return { name: "tools", title, status: "failed", message: message(error) };
  }
}

/**
 * What the restore needs, checked now without changing anything: the server answers, the user
 * may create databases, the names are free, the tools can read the dump, room and sessions.
 */
export async function runPreflight(input: PreflightInput): Promise<PreflightReport> {
  const { admin, source } = input;
  const checks: PreflightCheck[] = [];
  const report = (): PreflightReport => ({
    passed: checks.every((c) => c.status !== "failed"),
    checkedAt: new Date().toISOString(),
    checks,
  });
  const where = `${admin.connection.host}:${admin.connection.port}`;
  const dumpMajor = majorOf(source.pgVersion);

  let server;
  try {
    server = await serverVersion(admin);
    checks.push({
      name: "reachable",
      title: "Target reachable",
      status: "passed",
      message: `Connected to ${where} as ${admin.connection.user}.`,
    });
  } catch (error) {
    checks.push({ name: "reachable", title: "Target reachable", status: "failed", message: message(error) });
    checks.push(await toolCheck(source.format, dumpMajor));
    return report();
  }
  const newer = dumpMajor !== null && dumpMajor > server.major;
  checks.push({
    name: "server-version",
    title: "Server version",
    status: newer ? "warning" : "passed",
    message: newer
      ? `The dump comes from PostgreSQL ${dumpMajor}; the target runs ${server.version}. Restoring into an older server may fail on newer syntax.`
      : `PostgreSQL ${server.version}${dumpMajor !== null ? ` (the dump comes from ${source.pgVersion})` : ""}.`,
    details: { server: server.version, dump: source.pgVersion },
  });

  try {
    const user = admin.connection.user;
    const privilege = await canCreateDatabases(admin);
    checks.push({
      name: "create-privilege",
      title: "May create databases",
      status: privilege.allowed ? "passed" : "failed",
      message: privilege.allowed
        ? `${user} is ${privilege.superuser ? "a superuser" : "allowed to create databases (CREATEDB)"}.`
        : `${user} may not create databases: run ALTER ROLE ${user} CREATEDB; on the target.`,
    });
    const mayCreateRoles = privilege.superuser || privilege.createrole;
    checks.push({
      name: "loader-role",
      title: "Least-privilege loader",
      status: mayCreateRoles ? "passed" : "failed",
      message: mayCreateRoles
        ? "The dump will run as a role made for this restore, owning only the scratch database; it is dropped when the run ends."
        : `${user} may not create roles, so the dump cannot be loaded by a least-privilege role of its own: run ALTER ROLE ${user} CREATEROLE; on the target. (The dump never runs as ${user}.)`,
    });
    const owner = await resolveOwnerRole(admin, input.ownerRole, input.liveDatabase);
    checks.push({
      name: "owner-role",
      title: "Owner after restore",
      status: owner.exists && owner.usable ? "passed" : "failed",
      message: !owner.exists
        ? `The role ${owner.owner} that should own the restored database does not exist on the target. Create it, or set ownerRole on the restore target.`
        : !owner.usable
          ? `${user} cannot hand the restored objects to ${owner.owner}: run GRANT ${owner.owner} TO ${user}; on the target.`
          : `Everything restored will belong to ${owner.owner}${input.ownerRole ? " (the target's ownerRole)" : `, as ${input.liveDatabase} does now`}; the dump's grants are kept.`,
      details: { owner: owner.owner },
    });
    if (source.roles) {
      const existing = await listRoles(admin);
      const missing = source.roles.filter((role) => !existing.has(role));
      checks.push({
        name: "dump-roles",
        title: "Roles the dump names",
        status: missing.length > 0 ? "warning" : "passed",
        message:
          missing.length > 0
            ? `The target lacks ${missing.length === 1 ? "a role" : "roles"} the dump names: ${missing.join(", ")}. Grants to ${missing.length === 1 ? "it" : "them"} will be skipped (and listed on the run); create ${missing.length === 1 ? "it" : "them"} first if the application needs ${missing.length === 1 ? "it" : "them"}.`
            : `Every role the dump names exists on the target (${source.roles.join(", ") || "none"}).`,
        details: { missing },
      });
    }

    const names = [input.liveDatabase, input.scratchDatabase, ...(input.newDatabase ? [input.newDatabase] : [])];
    const existing = await existingDatabases(admin, names);
    checks.push({
      name: "scratch-free",
      title: "Scratch name free",
      status: existing.has(input.scratchDatabase) ? "failed" : "passed",
      message: existing.has(input.scratchDatabase)
        ? `A database named ${input.scratchDatabase} already exists.`
        : `${input.scratchDatabase} is free.`,
    });
    if (input.newDatabase) {
      checks.push({
        name: "new-name-free",
        title: "New database name free",
        status: existing.has(input.newDatabase) ? "failed" : "passed",
        message: existing.has(input.newDatabase)
          ? `A database named ${input.newDatabase} already exists; choose another name.`
          : `${input.newDatabase} is free.`,
      });
    }
    const liveExists = existing.has(input.liveDatabase);
    if (input.mode === "swap") {
      checks.push({
        name: "target-exists",
        title: "Target database",
        status: liveExists ? "passed" : "warning",
        message: liveExists
          ? `${input.liveDatabase} exists; it will be kept under its before-restore name.`
          : `${input.liveDatabase} does not exist: the restored database takes its name and there is nothing to roll back to.`,
      });
    }

    checks.push(await toolCheck(source.format, dumpMajor));

    const liveSize = liveExists ? await databaseSize(admin, input.liveDatabase) : null;
    const estimate = source.size * RESTORED_SIZE_FACTOR;
    const tight = liveSize === null || estimate > liveSize * 2;
    checks.push({
      name: "space",
      title: "Room on the server",
      status: tight ? "warning" : "passed",
      message:
        `The restored copy needs roughly ${formatGb(estimate)} (${RESTORED_SIZE_FACTOR} × the ${formatGb(source.size)} dump) beside ` +
        `${liveSize === null ? "what is there" : `the ${formatGb(liveSize)} of ${input.liveDatabase}`}. Free disk space cannot be read over SQL: check the server has room.`,
      details: { estimatedBytes: estimate, liveBytes: liveSize },
    });

    if (liveExists) {
      const sessions = await listSessions(admin, input.liveDatabase);
      const applications = [...new Set(sessions.map((s) => s.applicationName || "(unnamed)"))];
      const busy = sessions.length > 0 && input.mode === "swap";
      checks.push({
        name: "sessions",
        title: "Sessions on the target",
        status: busy ? "warning" : "passed",
        message:
          sessions.length === 0
            ? `Nobody is connected to ${input.liveDatabase}.`
            : `${plural(sessions.length, "session")} on ${input.liveDatabase} (${applications.join(", ")}).${busy ? ` ${sessions.length === 1 ? "It" : "They"} must end before the swap; you will see ${sessions.length === 1 ? "it" : "them"} and decide then.` : ""}`,
        details: { count: sessions.length, applications },
      });
    }
  } catch (error) {
    checks.push({ name: "reachable", title: "Target reachable", status: "failed", message: message(error) });
  }
  return report();
}
