import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgConnectionFromUrl } from "@/lib/providers/postgres/connection";
import { adminUrl } from "@/lib/testing/databases";
import { runPreflight, type PreflightInput } from "./preflight";

// Preflight against real PostgreSQL: what a target's configured user lacks is named with the
// exact statement to run, before anything is created.

const id = randomBytes(4).toString("hex");
const WEAK = `rc_weak_${id}`;
const MANAGED = `rc_pf_managed_${id}`;
const OWNER = `rc_pf_owner_${id}`;
const PRESENT = `rc_pf_reporting_${id}`;
const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function input(user: string): PreflightInput {
  return {
    admin: { connection: { ...pgConnectionFromUrl(adminUrl()).connection, user, password: PASSWORD }, maintenanceDatabase: "postgres" },
    mode: "new-database",
    liveDatabase: `pf_live_${id}`,
    scratchDatabase: `pf_scratch_${id}`,
    newDatabase: `pf_new_${id}`,
    source: { format: "plain-gzip", size: 1000, pgVersion: "15", roles: [PRESENT, `nobody_${id}`] },
    ownerRole: OWNER,
  };
}

beforeAll(async () => {
  await sql(`CREATE ROLE ${OWNER} NOLOGIN`);
  await sql(`CREATE ROLE ${PRESENT} NOLOGIN`);
  await sql(`CREATE ROLE ${WEAK} LOGIN CREATEDB PASSWORD '${PASSWORD}'`);
  await sql(`CREATE ROLE ${MANAGED} LOGIN CREATEDB CREATEROLE PASSWORD '${PASSWORD}'`);
  await sql(`GRANT ${OWNER} TO ${MANAGED}`);
});

afterAll(async () => {
  for (const role of [WEAK, MANAGED, PRESENT, OWNER]) await sql(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
});

describe("preflight of the least-privilege load", () => {
  it("refuses a user that can neither create roles nor act as the owner, saying exactly what to grant", async () => {
    const report = await runPreflight(input(WEAK));
    expect(report.passed).toBe(false);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName["loader-role"]).toMatchObject({ status: "failed" });
    expect(byName["loader-role"]?.message).toContain(`ALTER ROLE ${WEAK} CREATEROLE;`);
    expect(byName["owner-role"]).toMatchObject({ status: "failed" });
    expect(byName["owner-role"]?.message).toContain(`GRANT ${OWNER} TO ${WEAK};`);
  });

  it("passes a managed-database user (CREATEDB CREATEROLE, member of the owner role) and warns of roles the dump names that the target lacks", async () => {
    const report = await runPreflight(input(MANAGED));
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName["loader-role"]).toMatchObject({ status: "passed" });
    expect(byName["owner-role"]).toMatchObject({ status: "passed", details: { owner: OWNER } });
    expect(byName["dump-roles"]).toMatchObject({ status: "warning", details: { missing: [`nobody_${id}`] } });
    expect(report.passed).toBe(true);
  });
});
