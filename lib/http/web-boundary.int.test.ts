import { beforeAll, describe, expect, it } from "vitest";
import { POST as declareIncident } from "@/app/api/incidents/route";
import { GET as me } from "@/app/api/me/route";
import { POST as cancelRun } from "@/app/api/restores/[runId]/cancel/route";
import { POST as createUser } from "@/app/api/users/route";
import { createDb, type Db } from "@/lib/db/client";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest, TEST_ORIGIN } from "@/lib/testing/requests";

// The web boundary, through real route handlers called as Next.js calls them: same-origin proof
// (CSRF), bounded and strict bodies, server-generated request ids.

const noParams = { params: Promise.resolve({}) };
const RUN_ID = "00000000-0000-0000-0000-000000000000";
const runParams = { params: Promise.resolve({ runId: RUN_ID }) };
const INCIDENT = { title: "Payments overwritten", severity: "sev2", environment: "demo", scope: "every tenant's payments" };

let databaseUrl: string;
let db: Db;
let operator: TestUser;
let admin: TestUser;

beforeAll(async () => {
  databaseUrl = await createMigratedDatabase();
  useTestEnv(databaseUrl);
  db = createDb(databaseUrl);
  operator = await createTestUser(databaseUrl, "operator");
  admin = await createTestUser(databaseUrl, "admin");
  return () => db.$disconnect();
});

async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; issues?: Array<{ path: string[]; message: string }> }> {
  return ((await response.json()) as { error: { code: string; message: string; issues?: Array<{ path: string[]; message: string }> } })
    .error;
}

async function auditOf(response: Response) {
  return db.auditEvent.findFirst({ where: { requestId: response.headers.get("x-request-id") ?? "" } });
}

describe("same-origin proof (CSRF)", () => {
  it("a signed-in operator's cross-origin POST is refused with 403, audited, and changes nothing", async () => {
    const before = await db.incident.count();
    const response = await declareIncident(
      apiRequest("/api/incidents", {
        cookie: operator.cookie,
        body: INCIDENT,
        headers: { origin: "http://127.0.0.1:4444", "sec-fetch-site": "same-site" },
      }),
      noParams,
    );
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/did not come from a Restore Console page/),
    });
    expect(await db.incident.count()).toBe(before);
    const audit = await auditOf(response);
    expect(audit).toMatchObject({ action: "api.csrf_refused", outcome: "denied", actorEmail: operator.email });
    expect(audit?.payload).toEqual({ method: "POST", path: "/api/incidents", origin: "http://127.0.0.1:4444", secFetchSite: "same-site" });
    expect(JSON.stringify(audit?.payload)).not.toContain("session-token");
  });

  it("a body-less POST without Origin is refused with 403 and audited (before any verb runs)", async () => {
    const response = await cancelRun(
      apiRequest(`/api/restores/${RUN_ID}/cancel`, { method: "POST", cookie: operator.cookie, headers: { origin: null } }),
      runParams,
    );
    expect(response.status).toBe(403);
    expect(await auditOf(response)).toMatchObject({
      action: "api.csrf_refused",
      actorEmail: operator.email,
      payload: { method: "POST", path: `/api/restores/${RUN_ID}/cancel`, origin: null },
    });
  });

  it("an admin gets the same 403 as an anonymous caller: the answer does not depend on who is signed in", async () => {
    const cross = { origin: "https://evil.example" };
    const asAdmin = await createUser(
      apiRequest("/api/users", {
        cookie: admin.cookie,
        body: { email: "x@example.com", role: "admin", password: "long-enough-password" },
        headers: cross,
      }),
      noParams,
    );
    const anonymous = await createUser(
      apiRequest("/api/users", { body: { email: "x@example.com", role: "admin", password: "long-enough-password" }, headers: cross }),
      noParams,
    );
    expect([asAdmin.status, anonymous.status]).toEqual([403, 403]);
    expect(await errorOf(asAdmin)).toEqual(await errorOf(anonymous));
    expect(await db.user.count({ where: { email: "x@example.com" } })).toBe(0);
    // Nobody's browser was used: counted per window rather than audited row by row.
    expect(await auditOf(anonymous)).toBeNull();
    const counted = await db.anonymousFailure.findFirst({ where: { kind: "api.csrf_refused", source: "POST /api/users" } });
    expect(counted?.count).toBeGreaterThanOrEqual(1);
  });

  it("accepts Sec-Fetch-Site: same-origin without Origin, and a bearer session token (no browser can send one cross-site)", async () => {
    const viaFetchMetadata = await cancelRun(
      apiRequest(`/api/restores/${RUN_ID}/cancel`, {
        method: "POST",
        cookie: operator.cookie,
        headers: { origin: null, "sec-fetch-site": "same-origin" },
      }),
      runParams,
    );
    expect(viaFetchMetadata.status).toBe(404); // past the boundary: the run does not exist
    const token = operator.cookie.slice(operator.cookie.indexOf("=") + 1);
    const viaBearer = await cancelRun(
      apiRequest(`/api/restores/${RUN_ID}/cancel`, { method: "POST", headers: { origin: null, authorization: `Bearer ${token}` } }),
      runParams,
    );
    expect(viaBearer.status).toBe(404);
  });

  it("GET needs no proof", async () => {
    const response = await me(apiRequest("/api/me", { cookie: operator.cookie, headers: { origin: "https://evil.example" } }), noParams);
    expect(response.status).toBe(200);
  });
});

describe("request bodies", () => {
  it("a 100 MB streamed body gets 413 after at most the limit is read, and nothing is created", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const before = await db.incident.count();
    const request = new Request(`${TEST_ORIGIN}/api/incidents`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, cookie: operator.cookie, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await declareIncident(request, noParams);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ code: "payload_too_large", message: expect.stringMatching(/larger than 64 KiB/) });
    expect(pulled).toBeLessThan(1024 * 1024);
    expect(await db.incident.count()).toBe(before);
  });

  it("a declared Content-Length over the limit gets 413 without reading the body", async () => {
    const request = apiRequest("/api/incidents", {
      cookie: operator.cookie,
      body: INCIDENT,
      headers: { "content-length": String(100 * 1024 * 1024) },
    });
    const response = await declareIncident(request, noParams);
    expect(response.status).toBe(413);
    expect(request.bodyUsed).toBe(false);
  });

  it("`text/plain; application/json` gets 415, even same-origin", async () => {
    const response = await declareIncident(
      apiRequest("/api/incidents", {
        cookie: operator.cookie,
        body: INCIDENT,
        headers: { "content-type": "text/plain; application/json" },
      }),
      noParams,
    );
    expect(response.status).toBe(415);
    expect(await errorOf(response)).toMatchObject({
      code: "unsupported_media_type",
      message: expect.stringMatching(/Content-Type: application\/json/),
    });
  });

  it("an unknown field gets 400 naming it, and nothing is created", async () => {
    const before = await db.incident.count();
    const response = await declareIncident(
      apiRequest("/api/incidents", { cookie: operator.cookie, body: { ...INCIDENT, severityLevel: 1 } }),
      noParams,
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.message).toContain("severityLevel: unknown field");
    expect(error.issues).toEqual([{ path: ["severityLevel"], message: "unknown field; remove it" }]);
    expect(await db.incident.count()).toBe(before);
  });

  it("a route that takes no body refuses fields, and accepts none or {}", async () => {
    const withField = await cancelRun(
      apiRequest(`/api/restores/${RUN_ID}/cancel`, { cookie: operator.cookie, body: { force: true } }),
      runParams,
    );
    expect(withField.status).toBe(400);
    expect((await errorOf(withField)).issues).toEqual([{ path: ["force"], message: "unknown field; remove it" }]);
    expect((await cancelRun(apiRequest(`/api/restores/${RUN_ID}/cancel`, { cookie: operator.cookie, body: {} }), runParams)).status).toBe(
      404,
    );
    expect(
      (await cancelRun(apiRequest(`/api/restores/${RUN_ID}/cancel`, { method: "POST", cookie: operator.cookie }), runParams)).status,
    ).toBe(404);
  });
});

describe("request ids", () => {
  it("are always the server's: a client-supplied x-request-id is ignored, in the answer and the audit log", async () => {
    const forged = "attacker-chosen-request-id";
    const response = await createUser(
      apiRequest("/api/users", {
        cookie: operator.cookie,
        body: { email: "y@example.com", role: "admin", password: "long-enough-password" },
        headers: { "x-request-id": forged },
      }),
      noParams,
    );
    expect(response.status).toBe(403);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await db.auditEvent.count({ where: { requestId: forged } })).toBe(0);
    expect(await auditOf(response)).toMatchObject({ action: "api.access", outcome: "denied", actorEmail: operator.email });
  });
});
