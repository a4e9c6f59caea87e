import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config/load-config";
import { resolvePitrEnvironment } from "@/lib/config/resolve-pitr-environment";
import type { Db } from "@/lib/db/client";
import type { RestoreRun } from "@/lib/generated/prisma/client";
import { regionsOf } from "@/lib/providers/aws/rds-test-fakes";
import { pitrDrOf } from "./dr";
import { pitrKind } from "./kind";
import { buildPitrPlan, type PitrRestorePlan } from "./plan";

// The provider every step of a PITR run (and a resumed one) works with is built for the region
// its stored plan names: a DR restore never calls the primary region, an older plan (no region)
// works in the primary.

const rds = mockClient(RDSClient);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rc-pitr-kind-"));
  const file = path.join(dir, "restore-console.yaml");
  writeFileSync(
    file,
    `version: 1
defaultEnvironment: staging
environments:
  - name: staging
    pitr:
      provider: aws
      engine: postgres
      instanceIdentifier: loanserve-staging
      region: us-east-1
      user: loanserve
      dr: { region: us-west-2 }
`,
  );
  vi.stubEnv("RESTORE_CONSOLE_CONFIG", file);
  resetConfigCache();
});
beforeEach(() => rds.reset());
afterAll(() => {
  rds.restore();
  vi.unstubAllEnvs();
  resetConfigCache();
  rmSync(dir, { recursive: true, force: true });
});

function planIn(region: "primary" | "dr" | undefined): PitrRestorePlan {
  const { source } = resolvePitrEnvironment("staging");
  const plan = buildPitrPlan({
    environment: { name: "staging", protected: false },
    source,
    providerKind: "aws-rds-instance",
    identifiers: ["loanserve-staging-restore-1a2b3c4d"],
    choice: { kind: "latest" },
    dr: region === "dr" ? pitrDrOf(source) : null,
    window: { earliest: null, latest: null, lagSeconds: null, describedAt: "2026-11-25T12:00:00.000Z", notes: [] },
    incident: null,
    now: new Date("2026-11-25T12:00:00Z"),
    configuredChecks: 0,
    builtinChecks: 5,
    preflight: null,
  });
  if (region !== undefined) return plan;
  // As plans were stored before DR regions existed.
  const { region: _region, ...older } = plan;
  return older;
}

/** The regions the prepared provider calls (the mock answers nothing, so a description fails after one call). */
async function regionsCalledFor(plan: PitrRestorePlan): Promise<string[]> {
  const run = { id: "3f2a1c0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", environment: "staging" } as RestoreRun;
  const { context } = await pitrKind.prepare({ db: {} as Db, run, plan, owner: "worker-1" });
  await context.provider.describeWindow().catch(() => undefined);
  return regionsOf(rds.calls());
}

describe("the PITR run kind", () => {
  it("builds the provider of the region the plan was made for", async () => {
    expect(await regionsCalledFor(planIn("dr"))).toEqual(["us-west-2"]);
    rds.reset();
    expect(await regionsCalledFor(planIn("primary"))).toEqual(["us-east-1"]);
    rds.reset();
    expect(await regionsCalledFor(planIn(undefined))).toEqual(["us-east-1"]);
  });
});
