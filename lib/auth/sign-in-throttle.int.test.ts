import bcrypt from "bcryptjs";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { hashPassword, verifyPassword } from "@/lib/users/passwords";
import { SignInThrottle, type SignInThrottleLimits } from "./sign-in-throttle";
import { SignInThrottledError, signInWithPassword } from "./sign-in-with-password";

// Count every password check the sign-in makes, while still really checking.
vi.mock("@/lib/users/passwords", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/users/passwords")>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});
const checks = vi.mocked(verifyPassword);

// Small limits and short waits keep the suite fast; the logic is the production one.
const LIMITS: Partial<SignInThrottleLimits> = {
  accountFreeFailures: 3,
  accountBaseBackoffSeconds: 1,
  accountMaxBackoffSeconds: 5,
  accountForgetSeconds: 60,
  addressPoints: 1000,
  addressWindowSeconds: 60,
  checkHoldSeconds: 5,
};
const PASSWORD = "correct horse battery staple";

let url: string;
let db: Db;
const pools: pg.Pool[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function newThrottle(limits: Partial<SignInThrottleLimits> = LIMITS): SignInThrottle {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pools.push(pool);
  return new SignInThrottle(pool, limits);
}

let seq = 0;
async function newUser(passwordHash?: string): Promise<string> {
  const email = `person-${++seq}-${Date.now()}@example.com`;
  await db.user.create({ data: { email, role: "operator", passwordHash: passwordHash ?? (await hashPassword(PASSWORD)) } });
  return email;
}

type Outcome = { ok: true } | { ok: false } | { throttled: number };
async function attempt(throttle: SignInThrottle, email: string, password: string, address = "192.0.2.10"): Promise<Outcome> {
  try {
    const user = await signInWithPassword({
      ctx: { db, user: null, requestId: "test-request" },
      input: { email, password, address },
      throttle,
    });
    return user ? { ok: true } : { ok: false };
  } catch (error) {
    if (error instanceof SignInThrottledError) return { throttled: error.retryAfterSeconds };
    throw error;
  }
}

beforeAll(async () => {
  url = await createMigratedDatabase();
  db = createDb(url);
});

afterAll(async () => {
  await db.$disconnect();
  await Promise.all(pools.map((p) => p.end()));
});

beforeEach(() => {
  checks.mockClear();
});

describe("sign-in throttling (rate-limiter-flexible on PostgreSQL)", () => {
  it("30 wrong passwords in a row: a few are checked, the rest are told to wait, with a growing backoff", async () => {
    const throttle = newThrottle();
    const email = await newUser();
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(await attempt(throttle, email, `wrong-${i}`));

    expect(outcomes.slice(0, 3)).toEqual([{ ok: false }, { ok: false }, { ok: false }]);
    expect(outcomes.slice(3).every((o) => "throttled" in o && o.throttled >= 1)).toBe(true);
    expect(checks).toHaveBeenCalledTimes(3); // the 27 throttled answers never touched the password

    // After the first backoff one more check is allowed; its failure doubles the wait.
    await sleep(1050);
    expect(await attempt(throttle, email, "wrong-again")).toEqual({ ok: false });
    expect(checks).toHaveBeenCalledTimes(4);
    expect(throttle.backoffSeconds(2)).toBeNull();
    expect(throttle.backoffSeconds(3)).toBe(1);
    expect(throttle.backoffSeconds(4)).toBe(2);
    expect(throttle.backoffSeconds(20)).toBe(5); // capped
    const throttled = await attempt(throttle, email, PASSWORD); // even the right password waits
    expect(throttled).toEqual({ throttled: 2 });
    expect(checks).toHaveBeenCalledTimes(4);

    // A correct password once the wait is over signs in and clears the run of failures.
    await sleep(2050);
    expect(await attempt(throttle, email, PASSWORD)).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) expect(await attempt(throttle, email, `wrong-after-${i}`)).toEqual({ ok: false });
    expect(await attempt(throttle, email, "one-too-many")).toHaveProperty("throttled");

    // Known-account failures are audited one by one (bounded by the throttle), with the backoff.
    const denied = await db.auditEvent.findMany({ where: { actorEmail: email, outcome: "denied" }, orderBy: { id: "asc" } });
    expect(denied).toHaveLength(3 + 1 + 3);
    expect(denied[2]?.payload).toMatchObject({ reason: "bad credentials", failuresInARow: 3, backoffSeconds: 1 });
    // The throttled answers were counted per window, not audited.
    const throttledRows = await db.anonymousFailure.findMany({ where: { kind: "sign_in.throttled" } });
    expect(throttledRows.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(28);
  });

  it("20 attempts in parallel: the limit holds, only a bounded number of passwords are checked", async () => {
    const throttle = newThrottle();
    const email = await newUser();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(throttle, email, `parallel-${i}`)));
    const checked = outcomes.filter((o) => "ok" in o).length;
    expect(checks.mock.calls.length).toBe(checked);
    // The free failures, plus at most the one check a passed backoff allows.
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(4);
    expect(outcomes.filter((o) => "throttled" in o)).toHaveLength(20 - checked);
  });

  it("two limiter instances (two processes' pools) share one limit through the database", async () => {
    const a = newThrottle();
    const b = newThrottle();
    const email = await newUser();
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 10; i++) outcomes.push(await attempt(i % 2 === 0 ? a : b, email, `wrong-${i}`));
    expect(checks).toHaveBeenCalledTimes(3);
    expect(outcomes.filter((o) => "throttled" in o)).toHaveLength(7);
    // In parallel across both instances as well.
    const other = await newUser();
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 === 0 ? a : b, other, `p-${i}`)));
    expect(parallel.filter((o) => "ok" in o).length).toBeLessThanOrEqual(4);
  });

  it("limits one address across many accounts (known or not), and a success is refunded", async () => {
    const throttle = newThrottle({ ...LIMITS, addressPoints: 5 });
    const address = "198.51.100.7";
    const alice = await newUser();
    expect(await attempt(throttle, alice, PASSWORD, address)).toEqual({ ok: true });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await attempt(throttle, `nobody-${i}@example.com`, "guess", address));
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill({ ok: false }));
    expect(outcomes.slice(5).every((o) => "throttled" in o && o.throttled > 30)).toBe(true);
    // Another address is not affected.
    expect(await attempt(throttle, alice, PASSWORD, "198.51.100.8")).toEqual({ ok: true });
    // Unknown accounts left no audit rows, only counts for the address.
    const unknown = await db.anonymousFailure.findMany({ where: { kind: "sign_in.unknown_account", source: address } });
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.count).toBe(5);
    expect(await db.auditEvent.count({ where: { actorEmail: { startsWith: "nobody-" } } })).toBe(0);
  });

  it("rehashes a bcrypt password to argon2id on the next successful sign-in", async () => {
    const throttle = newThrottle();
    const email = await newUser(await bcrypt.hash(PASSWORD, 4));
    expect(await attempt(throttle, email, "not it")).toEqual({ ok: false });
    expect((await db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toMatch(/^\$2[aby]\$/);
    expect(await attempt(throttle, email, PASSWORD)).toEqual({ ok: true });
    const after = (await db.user.findUniqueOrThrow({ where: { email } })).passwordHash ?? "";
    expect(after).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await attempt(throttle, email, PASSWORD)).toEqual({ ok: true });
    expect((await db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toBe(after); // not rehashed again
    const signIn = await db.auditEvent.findFirst({ where: { actorEmail: email, outcome: "ok" }, orderBy: { id: "asc" } });
    expect(signIn?.payload).toMatchObject({ rehashed: "argon2id" });
  });
});
