import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { routeOf } from "@/lib/audit/record-anonymous-failure";
import { createDb } from "@/lib/db/client";
import type { RouteHandler } from "@/lib/http/route";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest, SAME_ORIGIN_HEADERS } from "@/lib/testing/requests";

const API_DIR = path.join(process.cwd(), "app", "api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** next-auth's own endpoints authenticate by design and are not ours to wrap. */
const EXEMPT = new Set(["auth/[...nextauth]"]);

async function findRouteFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? findRouteFiles(path.join(dir, e.name)) : Promise.resolve(e.name === "route.ts" ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

interface Endpoint {
  route: string;
  method: (typeof METHODS)[number];
  handler: RouteHandler;
  url: string;
  params: Record<string, string | string[]>;
}

async function loadEndpoints(): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (const file of await findRouteFiles(API_DIR)) {
    const route = path.relative(API_DIR, path.dirname(file));
    if (EXEMPT.has(route)) continue;
    const mod = (await import(file)) as Record<string, unknown>;
    const params: Record<string, string | string[]> = {};
    const urlPath = route
      .split(path.sep)
      .map((segment) => {
        const dynamic = /^\[(\.\.\.)?(.+)\]$/.exec(segment);
        if (!dynamic?.[2]) return segment;
        params[dynamic[2]] = dynamic[1] ? ["x"] : "00000000-0000-0000-0000-000000000000";
        return "x";
      })
      .join("/");
    for (const method of METHODS) {
      const handler = mod[method];
      if (typeof handler === "function") {
        endpoints.push({ route, method, handler: handler as RouteHandler, url: `http://127.0.0.1:3000/api/${urlPath}`, params });
      }
    }
  }
  return endpoints;
}

function call(endpoint: Endpoint, cookie?: string): Promise<Response> {
  const headers = new Headers({ ...SAME_ORIGIN_HEADERS, "content-type": "application/json" });
  if (cookie) headers.set("cookie", cookie);
  const body = endpoint.method === "GET" ? undefined : "{}";
  return endpoint.handler(new Request(endpoint.url, { method: endpoint.method, headers, body }), {
    params: Promise.resolve(endpoint.params),
  });
}

/**
 * Every route and the role it must require, pinned: a new route must be added here, and a role
 * lowered by mistake (operator → viewer, admin → operator) fails the test.
 */
const PINNED_ROLES: Readonly<Record<string, "public" | "viewer" | "operator" | "admin">> = {
  "DELETE /api/users/[userId]/link-sso": "admin",
  "GET /api/alerts": "viewer",
  "GET /api/approvals": "viewer",
  "GET /api/approvals/[approvalId]": "viewer",
  "GET /api/audit": "viewer",
  "GET /api/drills": "viewer",
  "GET /api/drills/report": "viewer",
  "GET /api/backups": "viewer",
  "GET /api/backups/[backupId]": "viewer",
  "GET /api/backups/[backupId]/tables": "viewer",
  "GET /api/backups/health": "viewer",
  "GET /api/backups/refresh": "viewer",
  "GET /api/backups/verifications/[verificationId]": "viewer",
  "GET /api/demo/outage": "viewer",
  "GET /api/health": "public",
  "GET /api/incidents": "viewer",
  "GET /api/incidents/[incidentId]": "viewer",
  "GET /api/incidents/[incidentId]/events": "viewer",
  "GET /api/incidents/[incidentId]/review.md": "viewer",
  "GET /api/incidents/events": "viewer",
  "GET /api/incidents/templates": "viewer",
  "GET /api/me": "viewer",
  "GET /api/metrics": "viewer",
  "GET /api/pitr/base-backups": "viewer",
  "GET /api/pitr/global-database": "viewer",
  "GET /api/pitr/window": "viewer",
  "GET /api/restores": "viewer",
  "GET /api/restores/[runId]": "viewer",
  "GET /api/restores/[runId]/comparable-tables": "operator",
  "GET /api/restores/[runId]/comparisons": "viewer",
  "GET /api/restores/[runId]/events": "viewer",
  "GET /api/row-comparisons/[comparisonId]": "viewer",
  "GET /api/row-comparisons/[comparisonId]/repair.sql": "operator",
  "GET /api/tokens": "admin",
  "GET /api/users": "admin",
  "POST /api/approvals/[approvalId]/approve": "operator",
  "POST /api/approvals/[approvalId]/refuse": "operator",
  "POST /api/backups/[backupId]/override": "admin",
  "POST /api/backups/[backupId]/tables": "operator",
  "POST /api/backups/[backupId]/verify": "operator",
  "POST /api/demo/outage": "operator",
  "POST /api/drills": "operator",
  "POST /api/incidents/[incidentId]/facts": "operator",
  "POST /api/backups/refresh": "viewer",
  "POST /api/incidents": "operator",
  "POST /api/incidents/[incidentId]/items/[itemId]/check": "operator",
  "POST /api/incidents/[incidentId]/items/[itemId]/uncheck": "operator",
  "POST /api/incidents/[incidentId]/notes": "operator",
  "POST /api/incidents/[incidentId]/status": "operator",
  "POST /api/incidents/templates": "admin",
  "POST /api/pitr/base-backups": "operator",
  "POST /api/pitr/global-database/promotions": "admin",
  "POST /api/pitr/global-database/promotions/[promotionId]/approve": "admin",
  "POST /api/pitr/global-database/promotions/[promotionId]/refuse": "admin",
  "POST /api/pitr/plan": "operator",
  "POST /api/pitr/restores": "operator",
  "POST /api/restores": "operator",
  "POST /api/restores/[runId]/accept-validation": "admin",
  "POST /api/restores/[runId]/cancel": "operator",
  "POST /api/restores/[runId]/cleanup": "operator",
  "POST /api/restores/[runId]/comparisons": "operator",
  "POST /api/restores/[runId]/cut-over": "operator",
  "POST /api/restores/[runId]/pitr-cleanup": "operator",
  "POST /api/restores/[runId]/rollback": "operator",
  "POST /api/restores/[runId]/swap": "operator",
  "POST /api/restores/plan": "operator",
  "POST /api/row-comparisons/[comparisonId]/repair": "admin",
  "POST /api/tokens": "admin",
  "POST /api/tokens/[tokenId]/revoke": "admin",
  "POST /api/users": "admin",
  "POST /api/users/[userId]/disable": "admin",
  "POST /api/users/[userId]/enable": "admin",
  "POST /api/users/[userId]/end-sessions": "admin",
  "POST /api/users/[userId]/link-sso": "admin",
  "POST /api/users/[userId]/reset-password": "admin",
  "POST /api/users/[userId]/role": "admin",
  "POST /api/users/me/password": "viewer",
  "PUT /api/users/me/time-zone": "viewer",
  "PUT /api/incidents/[incidentId]/review": "operator",
};

const RANK = { public: 0, viewer: 1, operator: 2, admin: 3 } as const;

let databaseUrl: string;
let endpoints: Endpoint[];
let viewer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  databaseUrl = await createMigratedDatabase();
  useTestEnv(databaseUrl);
  endpoints = await loadEndpoints();
  viewer = await createTestUser(databaseUrl, "viewer");
  admin = await createTestUser(databaseUrl, "admin");
});

describe("every API route handler", () => {
  it("requires exactly the role pinned for it (none lowered, none unlisted)", () => {
    const found = Object.fromEntries(endpoints.map((e) => [`${e.method} /api/${e.route}`, e.handler.requiredRole]));
    expect(Object.keys(found).sort()).toEqual(Object.keys(PINNED_ROLES).sort());
    for (const [name, pinned] of Object.entries(PINNED_ROLES)) {
      const actual = found[name] ?? "public";
      expect(RANK[actual], `${name} requires ${actual}, pinned ${pinned}`).toBeGreaterThanOrEqual(RANK[pinned]);
      expect(actual, name).toBe(pinned);
    }
  });

  it("was found", () => {
    expect(endpoints.length).toBeGreaterThan(3);
  });

  it("declares a required role through the route wrapper", () => {
    for (const endpoint of endpoints) {
      expect(["public", "viewer", "operator", "admin"], `${endpoint.method} /api/${endpoint.route}`).toContain(
        endpoint.handler.requiredRole,
      );
    }
  });

  it("answers 401 to anonymous calls unless it is public, and counts them per window (no audit row each)", async () => {
    const db = createDb(databaseUrl);
    const counted = async (source?: string) =>
      (
        await db.anonymousFailure.aggregate({
          where: { kind: "api.unauthenticated", ...(source ? { source } : {}) },
          _sum: { count: true },
        })
      )._sum.count ?? 0;
    const before = await counted();
    const anonymous = endpoints.filter((e) => e.handler.requiredRole !== "public");
    for (const endpoint of anonymous) {
      const route = routeOf(endpoint.method, new URL(endpoint.url).pathname);
      const beforeRoute = await counted(route);
      const response = await call(endpoint);
      expect(response.status, `${endpoint.method} /api/${endpoint.route}`).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthenticated");
      expect(await counted(route), `count for ${route}`).toBe(beforeRoute + 1);
    }
    expect(await counted()).toBe(before + anonymous.length);
    expect(await db.auditEvent.count({ where: { outcome: "unauthenticated" } })).toBe(0);
    await db.$disconnect();
  });
});

describe("roles", () => {
  it("a viewer gets 403 from an admin-only route, and the denial is audited", async () => {
    const createUsers = endpoints.find((e) => e.route === "users" && e.method === "POST");
    expect(createUsers?.handler.requiredRole).toBe("admin");
    const response = await call(createUsers as Endpoint, viewer.cookie);
    expect(response.status).toBe(403);
    const db = createDb(databaseUrl);
    const audit = await db.auditEvent.findFirst({ where: { requestId: response.headers.get("x-request-id") ?? "" } });
    await db.$disconnect();
    expect(audit).toMatchObject({ outcome: "denied", actorEmail: viewer.email, action: "api.access" });
    expect(audit?.payload).toMatchObject({ method: "POST", path: "/api/users", requiredRole: "admin", role: "viewer" });
  });

  it("an admin can create a user; the audit payload never holds the password", async () => {
    const { POST } = await import("@/app/api/users/route");
    const response = await POST(
      apiRequest("/api/users", { method: "POST", cookie: admin.cookie, body: { email: "New.Person@Example.com", role: "operator" } }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(201);
    // The server generates a one-time password, returned this once (see app/api/users/people.int.test.ts).
    const created = (await response.json()) as { user: unknown; oneTimePassword: string };
    expect(created.user).toMatchObject({ email: "new.person@example.com", role: "operator", passwordChangeRequired: true });
    const password = created.oneTimePassword;
    const db = createDb(databaseUrl);
    const events = await db.auditEvent.findMany({ where: { action: "user.create" } });
    await db.$disconnect();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))).not.toContain(
      password,
    );
  });

  it("bad input gets a 400 naming the field", async () => {
    const { POST } = await import("@/app/api/users/route");
    const response = await POST(
      apiRequest("/api/users", {
        method: "POST",
        cookie: admin.cookie,
        body: { email: "not-an-email", role: "superuser", password: "short" },
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: Array<{ path: string[] }> } };
    expect(body.error.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["email", "role", "password"]));
  });

  it("a disabled user's session stops working at once", async () => {
    const operator = await createTestUser(databaseUrl, "operator");
    const { GET } = await import("@/app/api/me/route");
    const request = () => new Request("http://127.0.0.1:3000/api/me", { headers: { cookie: operator.cookie } });
    expect((await GET(request(), { params: Promise.resolve({}) })).status).toBe(200);
    const db = createDb(databaseUrl);
    await db.user.update({ where: { id: operator.id }, data: { disabledAt: new Date() } });
    await db.$disconnect();
    expect((await GET(request(), { params: Promise.resolve({}) })).status).toBe(401);
  });
});

describe("health", () => {
  it("is public and reports the database and a missing worker", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await GET(new Request("http://127.0.0.1:3000/api/health"), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "degraded", database: { ok: true }, worker: { ok: false, lastBeatAt: null } });
  });
});
