import { beforeAll, describe, expect, it } from "vitest";
import { PUT as setTimeZone } from "@/app/api/users/me/time-zone/route";
import { POST as createToken } from "@/app/api/tokens/route";
import { createDb, type Db } from "@/lib/db/client";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";

// The display zone is each person's own, kept with their account; a token has none.

const noParams = { params: Promise.resolve({}) };
let db: Db;
let viewer: TestUser;
let admin: TestUser;

/** What the page frame reads with the session: the stored zone. */
const readTimeZonePreference = async ({ db }: { db: Db }, id: string) =>
  (await db.user.findUniqueOrThrow({ where: { id }, select: { timeZone: true } })).timeZone;

const put = (cookie: string, timeZone: unknown) =>
  setTimeZone(apiRequest("/api/users/me/time-zone", { method: "PUT", cookie, body: { timeZone } }), noParams);

beforeAll(async () => {
  const databaseUrl = await createMigratedDatabase();
  useTestEnv(databaseUrl);
  db = createDb(databaseUrl);
  viewer = await createTestUser(databaseUrl, "viewer");
  admin = await createTestUser(databaseUrl, "admin");
  return () => db.$disconnect();
});

describe("time zone preference", () => {
  it("is stored per person: an IANA zone, or null for the browser's", async () => {
    expect(await readTimeZonePreference({ db }, viewer.id)).toBeNull();
    const saved = await put(viewer.cookie, "America/St_Johns");
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ timeZone: "America/St_Johns" });
    expect(await readTimeZonePreference({ db }, viewer.id)).toBe("America/St_Johns");
    expect(await readTimeZonePreference({ db }, admin.id)).toBeNull();

    // Stored under the runtime's own name, whatever the casing typed.
    expect(await (await put(viewer.cookie, "europe/berlin")).json()).toEqual({ timeZone: "Europe/Berlin" });
    expect(await readTimeZonePreference({ db }, viewer.id)).toBe("Europe/Berlin");

    expect((await put(viewer.cookie, null)).status).toBe(200);
    expect(await readTimeZonePreference({ db }, viewer.id)).toBeNull();
  });

  it("refuses a zone the runtime does not know, keeping the previous choice", async () => {
    expect((await put(viewer.cookie, "UTC")).status).toBe(200);
    const refused = await put(viewer.cookie, "Mars/Olympus_Mons");
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain("is not a time zone");
    expect(await readTimeZonePreference({ db }, viewer.id)).toBe("UTC");
  });

  it("refuses an API token: it has no display", async () => {
    const created = await createToken(
      apiRequest("/api/tokens", { cookie: admin.cookie, body: { name: "zone-bot", role: "viewer", expiresInDays: 1 } }),
      noParams,
    );
    const { token } = (await created.json()) as { token: string };
    const response = await setTimeZone(
      apiRequest("/api/users/me/time-zone", {
        method: "PUT",
        body: { timeZone: "UTC" },
        headers: { authorization: `Bearer ${token}`, origin: null },
      }),
      noParams,
    );
    expect(response.status).toBe(403);
  });
});
