import { describe, expect, it } from "vitest";
import { routeOf, windowStartOf } from "./record-anonymous-failure";

describe("routeOf", () => {
  it("replaces ids so calls to one route count together", () => {
    expect(routeOf("post", "/api/restores/3f2a9c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f/cancel")).toBe("POST /api/restores/:id/cancel");
    expect(routeOf("GET", "/api/audit")).toBe("GET /api/audit");
    expect(routeOf("GET", "/api/incidents/42/items/7")).toBe("GET /api/incidents/:id/items/:id");
    expect(routeOf("GET", "/api/backups/abcdefghijklmnopqrstuvwxyz")).toBe("GET /api/backups/:id");
  });
});

describe("windowStartOf", () => {
  it("starts windows on the hour (UTC)", () => {
    expect(windowStartOf(new Date("2026-11-29T10:59:59.999Z")).toISOString()).toBe("2026-11-29T10:00:00.000Z");
  });
});
