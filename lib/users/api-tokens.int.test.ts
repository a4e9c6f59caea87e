import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as approveRoute } from "@/app/api/approvals/[approvalId]/approve/route";
import { GET as listBackups } from "@/app/api/backups/route";
import { GET as incidentStream } from "@/app/api/incidents/events/route";
import { POST as changePassword } from "@/app/api/users/me/password/route";
import { POST as declareIncident } from "@/app/api/incidents/route";
import { POST as revokeRoute } from "@/app/api/tokens/[tokenId]/revoke/route";
import { GET as listTokens, POST as createToken } from "@/app/api/tokens/route";
import { createDb, type Db } from "@/lib/db/client";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import type { ApiTokenView } from "./api-token-model";

// API tokens through the real route wrapper: created once by an admin, accepted as a Bearer
// token with its own role, cookie-less (no same-origin proof), audited under its name, and
// refused once revoked or expired.

const noParams = { params: Promise.resolve({}) };
const INCIDENT = { title: "Drill from CI", severity: "sev4", environment: "demo", scope: "a scheduled check of the runbook" };

let databaseUrl: string;
let db: Db;
let admin: TestUser;
let operator: TestUser;

/** A request from automation: a bearer token, no cookie, no Origin (curl sends none). */
const withToken = (path: string, token: string, body?: unknown, headers: Record<string, string | null> = {}) =>
  apiRequest(path, { ...(body === undefined ? {} : { body }), headers: { authorization: `Bearer ${token}`, origin: null, ...headers } });

async function create(name: string, role: "viewer" | "operator", by: TestUser = admin) {
  const response = await createToken(apiRequest("/api/tokens", { cookie: by.cookie, body: { name, role, expiresInDays: 30 } }), noParams);
  return { status: response.status, json: (await response.json()) as { token: string; view: ApiTokenView; error?: { message: string } } };
}

beforeAll(async () => {
  databaseUrl = await createMigratedDatabase();
  useTestEnv(databaseUrl);
  db = createDb(databaseUrl);
  admin = await createTestUser(databaseUrl, "admin");
  operator = await createTestUser(databaseUrl, "operator");
  return () => db.$disconnect();
});

describe("API tokens", () => {
  it("an admin creates one, sees its secret once; only its hash and first characters are kept", async () => {
    expect((await create("by an operator", "viewer", operator)).status).toBe(403);
    const { status, json } = await create("ci-reader", "viewer");
    expect(status).toBe(201);
    expect(json.token).toMatch(/^rct_[A-Za-z0-9_-]{43}$/);
    expect(json.view).toMatchObject({ name: "ci-reader", role: "viewer", state: "active", createdByEmail: admin.email });
    expect(json.token.startsWith(json.view.prefix)).toBe(true);

    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: json.view.id } });
    expect(JSON.stringify(stored)).not.toContain(json.token.slice(json.view.prefix.length));
    const listed = await listTokens(apiRequest("/api/tokens", { cookie: admin.cookie }), noParams);
    expect(JSON.stringify(await listed.json())).not.toContain(json.token);
    expect((await create("CI-READER", "operator")).status).toBe(409);
    expect((await create("too-powerful", "admin" as "operator")).status).toBe(400);
  });

  it("is accepted as a Bearer token with its own role, without a session or the same-origin proof, and audited under its name", async () => {
    const reader = (await create("ci-viewer", "viewer")).json.token;
    const writer = (await create("ci-operator", "operator")).json.token;

    const read = await listBackups(withToken("/api/backups", reader), noParams);
    expect(read.status).toBe(200);

    const denied = await declareIncident(withToken("/api/incidents", reader, INCIDENT), noParams);
    expect(denied.status).toBe(403);
    const denial = await db.auditEvent.findFirst({ where: { requestId: denied.headers.get("x-request-id") ?? "" } });
    expect(denial).toMatchObject({ action: "api.access", outcome: "denied", actorEmail: "token:ci-viewer" });

    // An Origin of another site does not matter: a browser never attaches a token by itself.
    const declared = await declareIncident(
      withToken("/api/incidents", writer, INCIDENT, { origin: "https://elsewhere.example" }),
      noParams,
    );
    expect(declared.status).toBe(201);
    const audit = await db.auditEvent.findFirst({ where: { requestId: declared.headers.get("x-request-id") ?? "" } });
    expect(audit).toMatchObject({ action: "incident.declare", actorEmail: "token:ci-operator" });
    const used = await db.apiToken.findFirstOrThrow({ where: { name: "ci-operator" } });
    expect(used.lastUsedAt).not.toBeNull();
  });

  it("a revoked, expired or unknown token is refused with 401 and counted, and a session cookie beside it does not help", async () => {
    const { token, view } = (await create("short-lived", "operator")).json;
    expect((await listBackups(withToken("/api/backups", token), noParams)).status).toBe(200);

    const revoked = await revokeRoute(apiRequest(`/api/tokens/${view.id}/revoke`, { cookie: admin.cookie, body: {} }), {
      params: Promise.resolve({ tokenId: view.id }),
    });
    expect(((await revoked.json()) as ApiTokenView).state).toBe("revoked");
    const refused = await listBackups(withToken("/api/backups", token, undefined, { cookie: admin.cookie }), noParams);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/unknown, expired or revoked/);

    const expiring = (await create("expired", "viewer")).json;
    await db.apiToken.update({ where: { id: expiring.view.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await listBackups(withToken("/api/backups", expiring.token), noParams)).status).toBe(401);
    expect((await listBackups(withToken("/api/backups", "rct_not-a-token"), noParams)).status).toBe(401);

    const counted = await db.anonymousFailure.aggregate({ where: { kind: "api.token_refused" }, _sum: { count: true } });
    expect(counted._sum.count).toBe(3);
    const actions = (await db.auditEvent.findMany({ where: { subjectId: view.id } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["api_token.create", "api_token.revoke"]));
  });

  it("is never a person: it cannot approve a four-eyes request, change a password or hold a live view", async () => {
    const writer = (await create("ci-approver", "operator")).json.token;
    const approvalId = randomUUID();
    const approval = await approveRoute(withToken(`/api/approvals/${approvalId}/approve`, writer, {}), {
      params: Promise.resolve({ approvalId }),
    });
    expect(approval.status).toBe(403);
    expect(((await approval.json()) as { error: { message: string } }).error.message).toMatch(/an API token can do neither/);
    const password = await changePassword(
      withToken("/api/users/me/password", writer, { currentPassword: "x".repeat(24), newPassword: "y".repeat(24) }),
      noParams,
    );
    expect(password.status).toBe(403);
    const stream = await incidentStream(withToken("/api/incidents/events", writer), noParams);
    expect(stream.status).toBe(403);
  });
});
