import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET, POST } from "@/app/api/demo/outage/route";
import { DEMO_S3_FOLDERS, SIMULATED_OUTAGE_FLAG } from "@/lib/config/demo";
import { resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import type { SimulatedOutage } from "@/lib/demo/simulated-outage-state";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { startS3Server, type LocalS3Server } from "@/scripts/lib/s3-server";

const saved = { config: process.env.RESTORE_CONSOLE_CONFIG, dataDir: process.env.RESTORE_CONSOLE_DATA_DIR };
let tempDir: string;
let s3Dir: string;
let flag: string;
let databaseUrl: string;
let db: Db;
let viewer: TestUser;
let operator: TestUser;
let server: LocalS3Server | undefined;
const outages: boolean[] = [];

const get = (cookie: string) => GET(apiRequest("/api/demo/outage", { cookie }), { params: Promise.resolve({}) });
const post = (cookie: string, body: unknown, headers?: Record<string, string | null>) =>
  POST(apiRequest("/api/demo/outage", { cookie, body, headers }), { params: Promise.resolve({}) });
const auditOf = (response: Response) => db.auditEvent.findMany({ where: { requestId: response.headers.get("x-request-id") ?? "" } });
const flagRaised = () =>
  stat(flag).then(
    () => true,
    () => false,
  );

/** The built-in demo, its data folder in `tempDir`, as the run command starts it. */
function runTheDemo() {
  delete process.env.RESTORE_CONSOLE_CONFIG;
  process.env.RESTORE_CONSOLE_DATA_DIR = tempDir;
  resetConfigCache();
}

beforeAll(async () => {
  tempDir = await mkdtemp(path.join(tmpdir(), "rc-outage-"));
  s3Dir = path.join(tempDir, "demo", DEMO_S3_FOLDERS.primary);
  flag = path.join(s3Dir, SIMULATED_OUTAGE_FLAG);
  runTheDemo();
  databaseUrl = await createMigratedDatabase();
  useTestEnv(databaseUrl);
  db = createDb(databaseUrl);
  viewer = await createTestUser(databaseUrl, "viewer");
  operator = await createTestUser(databaseUrl, "operator");
});

afterAll(async () => {
  await server?.stop();
  await db?.$disconnect();
  for (const [name, value] of [
    ["RESTORE_CONSOLE_CONFIG", saved.config],
    ["RESTORE_CONSOLE_DATA_DIR", saved.dataDir],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigCache();
  await rm(tempDir, { recursive: true, force: true });
});

describe("the demo's simulated outage switch", () => {
  it("answers 409, saying why, when the demo's S3 servers were not started from this data folder", async () => {
    const response = await get(viewer.cookie);
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toContain("./scripts/run");
  });

  it("shows everyone the state: the primary store and the replica restores fall back to", async () => {
    // The primary S3 server, watching the flag where the run command's demo puts it.
    await mkdir(s3Dir, { recursive: true });
    server = await startS3Server({
      directory: s3Dir,
      buckets: ["loanserve-backups"],
      outageFlag: flag,
      onOutage: (down) => void outages.push(down),
    });
    const response = await get(viewer.cookie);
    expect(response.status).toBe(200);
    expect((await response.json()) as SimulatedOutage).toEqual({
      environment: "demo",
      down: false,
      startedAt: null,
      startedBy: null,
      primary: expect.stringMatching(/^s3:\/\/loanserve-backups\/prod\/pg\/ at http:\/\/127\.0\.0\.1:\d+$/),
      replicas: ["us-west-2 (DR, demo)"],
    });
  });

  it("refuses a viewer (403, audited) and changes nothing", async () => {
    const response = await post(viewer.cookie, { down: true });
    expect(response.status).toBe(403);
    expect(await auditOf(response)).toMatchObject([{ action: "api.access", outcome: "denied", actorEmail: viewer.email }]);
    expect(await flagRaised()).toBe(false);
  });

  it("refuses a cross-site request and a body that is not exactly { down: boolean }", async () => {
    expect((await post(operator.cookie, { down: true }, { origin: "https://elsewhere.example" })).status).toBe(403);
    expect((await post(operator.cookie, { down: "yes" })).status).toBe(400);
    expect((await post(operator.cookie, { down: true, region: "us-east-1" })).status).toBe(400);
    expect(await flagRaised()).toBe(false);
  });

  it("lets an operator start it: the flag is raised, the S3 server stops answering, the audit log says who", async () => {
    const before = Date.now();
    const response = await post(operator.cookie, { down: true });
    expect(response.status).toBe(200);
    const state = (await response.json()) as SimulatedOutage;
    expect(state).toMatchObject({ environment: "demo", down: true, startedBy: operator.email });
    expect(Date.parse(state.startedAt ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.parse(await readFile(flag, "utf8"))).toEqual({ startedAt: state.startedAt, startedBy: operator.email });
    await vi.waitFor(() => expect(outages).toEqual([true]), { timeout: 5_000, interval: 50 });

    expect(await auditOf(response)).toMatchObject([
      {
        action: "demo.outage.start",
        outcome: "ok",
        actorId: operator.id,
        actorEmail: operator.email,
        subjectType: "environment",
        subjectId: "demo",
        payload: { store: state.primary, fallback: ["us-west-2 (DR, demo)"] },
      },
    ]);
    // A viewer sees it too.
    expect(await (await get(viewer.cookie)).json()).toEqual(state);
  });

  it("changes nothing and records nothing when asked for the state it is already in", async () => {
    const response = await post(operator.cookie, { down: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ down: true, startedBy: operator.email });
    expect(await auditOf(response)).toEqual([]);
  });

  it("lets an operator end it: the flag is gone, the S3 server answers again, the end is audited with the start", async () => {
    const { startedAt } = (await (await get(viewer.cookie)).json()) as SimulatedOutage;
    const response = await post(operator.cookie, { down: false });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ down: false, startedAt: null, startedBy: null });
    expect(await flagRaised()).toBe(false);
    await vi.waitFor(() => expect(outages).toEqual([true, false]), { timeout: 5_000, interval: 50 });
    expect(await auditOf(response)).toMatchObject([
      { action: "demo.outage.end", actorEmail: operator.email, subjectId: "demo", payload: { startedAt, startedBy: operator.email } },
    ]);
  });

  it("starts and ends it once when two operators ask at the same moment", async () => {
    const other = await createTestUser(databaseUrl, "operator");
    const count = (action: string) => db.auditEvent.count({ where: { action } });
    const [starts, ends] = [await count("demo.outage.start"), await count("demo.outage.end")];
    for (const down of [true, false]) {
      const responses = await Promise.all([post(operator.cookie, { down }), post(other.cookie, { down })]);
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      for (const response of responses) expect(await response.json()).toMatchObject({ down });
    }
    expect([await count("demo.outage.start"), await count("demo.outage.end")]).toEqual([starts + 1, ends + 1]);
    expect(await flagRaised()).toBe(false);
  });

  it("is not there outside the demo: 404 with the reason, and the flag is never touched", async () => {
    const config = path.join(tempDir, "restore-console.yaml");
    await writeFile(config, ["version: 1", "environments:", "  - name: prod", ""].join("\n"));
    process.env.RESTORE_CONSOLE_CONFIG = config;
    resetConfigCache();
    try {
      for (const response of [await get(viewer.cookie), await post(operator.cookie, { down: true })]) {
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: { message: string } };
        expect(body.error.message).toMatch(/built-in demo only/);
        expect(await auditOf(response)).toEqual([]);
      }
      expect(await flagRaised()).toBe(false);
    } finally {
      runTheDemo();
    }
  });
});
