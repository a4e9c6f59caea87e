import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import type { RouteHandler } from "@/lib/http/route";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";

const API_DIR = path.join(process.cwd(), "app", "api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** next-auth's own endpoints authenticate by design and are not ours to wrap. */
const EXEMPT = new Set(["auth/[...nextauth]"]);

async function findRouteFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? findRouteFiles(path.join(dir, e.name)) : Promise.resolve(e.name === "route.ts" ? [path.join(dir, e.name)] : []))),
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
  const headers = new Headers({ "content-type": "application/json" });
  if (cookie) headers.set("cookie", cookie);
  const body = endpoint.method === "GET" ? undefined : "{}";
  return endpoint.handler(new Request(endpoint.url, { method: endpoint.method, headers, body }), { params: Promise.resolve(endpoint.params) });
}

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
  it("was found", () => {
    expect(endpoints.length).toBeGreaterThan(3);
  });

  it("declares a required role through the route wrapper", () => {
    for (const endpoint of endpoints) {
      expect(["public", "viewer", "operator", "admin"], `${endpoint.method} /api/${endpoint.route}`).toContain(endpoint.handler.requiredRole);
    }
  });

  it("answers 401 to anonymous calls unless it is public, and audits them", async () => {
    const db = createDb(databaseUrl);
    for (const endpoint of endpoints.filter((e) => e.handler.requiredRole !== "public")) {
      const response = await call(endpoint);
      expect(response.status, `${endpoint.method} /api/${endpoint.route}`).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthenticated");
      const requestId = response.headers.get("x-request-id");
      const audit = await db.auditEvent.findFirst({ where: { requestId: requestId ?? "" } });
      expect(audit, `audit for ${endpoint.method} /api/${endpoint.route}`).toMatchObject({ outcome: "unauthenticated", actorEmail: "anonymous" });
    }
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
    const password = "a-long-enough-password-42";
    const response = await POST(
      new Request("http://127.0.0.1:3000/api/users", {
        method: "POST",
        headers: { cookie: admin.cookie, "content-type": "application/json" },
        body: JSON.stringify({ email: "New.Person@Example.com", role: "operator", password }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ email: "new.person@example.com", role: "operator" });
    const db = createDb(databaseUrl);
    const events = await db.auditEvent.findMany({ where: { action: "user.create" } });
    await db.$disconnect();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))).not.toContain(password);
  });

  it("bad input gets a 400 naming the field", async () => {
    const { POST } = await import("@/app/api/users/route");
    const response = await POST(
      new Request("http://127.0.0.1:3000/api/users", {
        method: "POST",
        headers: { cookie: admin.cookie, "content-type": "application/json" },
        body: JSON.stringify({ email: "not-an-email", role: "superuser", password: "short" }),
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
