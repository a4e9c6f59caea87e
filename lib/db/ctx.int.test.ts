import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { createDb, type Db, type DbOrTx } from "@/lib/db/client";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { isClient, systemCtx, withTransaction, type Ctx } from "./ctx";

// withTransaction against the real app database: nested verbs share one transaction, and a
// throw anywhere inside rolls back all of it.

let db: Db;
let other: Db;

const person: SessionUser = { id: "00000000-0000-4000-8000-000000000001", email: "ada@example.com", name: "Ada", role: "operator" };

beforeAll(async () => {
  const url = await createMigratedDatabase();
  db = createDb(url);
  other = createDb(url);
  await db.$executeRawUnsafe("CREATE TABLE ctx_marks (label text PRIMARY KEY)");
});

afterAll(async () => {
  await db.$disconnect();
  await other.$disconnect();
});

beforeEach(async () => {
  await db.$executeRawUnsafe("TRUNCATE ctx_marks");
});

const mark = (tx: DbOrTx, label: string) => tx.$executeRaw`INSERT INTO ctx_marks (label) VALUES (${label})`;
const marks = async (from: DbOrTx) =>
  (await from.$queryRaw<Array<{ label: string }>>`SELECT label FROM ctx_marks ORDER BY label`).map((r) => r.label);
const txid = async (from: DbOrTx) => (await from.$queryRaw<Array<{ id: string }>>`SELECT txid_current()::text AS id`)[0]?.id;

/** Two verbs as the house writes them: the outer one calls the inner one with its own ctx. */
async function innerVerb({ ctx, input }: { ctx: Ctx; input: { label: string; fail?: boolean } }): Promise<string | undefined> {
  return withTransaction(ctx, async (ctx) => {
    await mark(ctx.db, input.label);
    if (input.fail) throw new Error("inner verb refused");
    return txid(ctx.db);
  });
}

async function outerVerb({ ctx, input }: { ctx: Ctx; input: { failInner?: boolean; failAfter?: boolean } }) {
  return withTransaction(ctx, async (ctx) => {
    await mark(ctx.db, "outer");
    const outerTx = await txid(ctx.db);
    // Not visible outside until the outer transaction commits.
    const seenOutside = await marks(other);
    const innerTx = await innerVerb({ ctx, input: { label: "inner", fail: input.failInner } });
    if (input.failAfter) throw new Error("outer verb refused");
    return { outerTx, innerTx, seenOutside };
  });
}

describe("withTransaction", () => {
  it("tells the client from a transaction", async () => {
    expect(isClient(db)).toBe(true);
    await db.$transaction(async (tx) => {
      expect(isClient(tx)).toBe(false);
    });
  });

  it("opens one transaction on the client and hands a ctx on it, keeping who acts and the request id", async () => {
    const ctx: Ctx = { db, user: person, requestId: "req-1" };
    await withTransaction(ctx, async (inner) => {
      expect(inner.db).not.toBe(db);
      expect(isClient(inner.db)).toBe(false);
      expect(inner.user).toBe(person);
      expect(inner.requestId).toBe("req-1");
    });
  });

  it("nests: a verb inside another's transaction joins it, and both commit together", async () => {
    const result = await outerVerb({ ctx: { db, user: person, requestId: "req-2" }, input: {} });
    expect(result.innerTx).toBe(result.outerTx);
    expect(result.seenOutside).toEqual([]);
    expect(await marks(db)).toEqual(["inner", "outer"]);
  });

  it("hands a ctx already on a transaction to fn as it is", async () => {
    await db.$transaction(async (tx) => {
      const ctx = systemCtx(tx, "req-3");
      await withTransaction(ctx, async (inner) => {
        expect(inner).toBe(ctx);
      });
    });
  });

  it("rolls everything back when the inner verb throws, the outer verb's work included", async () => {
    await expect(outerVerb({ ctx: { db, user: person, requestId: "req-4" }, input: { failInner: true } })).rejects.toThrow(
      "inner verb refused",
    );
    expect(await marks(db)).toEqual([]);
  });

  it("rolls the inner verb's work back when the outer verb throws after it returned", async () => {
    await expect(outerVerb({ ctx: { db, user: person, requestId: "req-5" }, input: { failAfter: true } })).rejects.toThrow(
      "outer verb refused",
    );
    expect(await marks(db)).toEqual([]);
  });

  it("runs a system ctx the same way", async () => {
    await withTransaction(systemCtx(db), async (ctx) => {
      expect(ctx.user).toBeNull();
      await mark(ctx.db, "system");
    });
    expect(await marks(other)).toEqual(["system"]);
  });
});
