import { describe, expect, it, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db, DbOrTx } from "./client";
import { isClient, systemCtx, withTransaction, type Ctx } from "./ctx";

// Stand-ins with the shapes that matter: the client has $connect and opens transactions; an
// interactive transaction (Prisma's tx client) has no connection methods.
function fakeClient() {
  const tx = { marker: "tx" } as unknown as DbOrTx;
  const client = { $connect: vi.fn(), $transaction: vi.fn((fn: (t: DbOrTx) => Promise<unknown>) => fn(tx)) };
  return { client: client as unknown as Db, transaction: client.$transaction, tx };
}

const person: SessionUser = { id: "u1", email: "ada@example.com", name: null, role: "operator" };

describe("withTransaction", () => {
  it("opens a transaction on the client and hands fn a ctx on it, keeping user and request id", async () => {
    const { client, transaction, tx } = fakeClient();
    const seen = await withTransaction({ db: client, user: person, requestId: "r1" }, async (ctx) => ctx);
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(seen).toEqual({ db: tx, user: person, requestId: "r1" });
  });

  it("joins a transaction: fn gets the ctx as it is, and nothing new is opened", async () => {
    const { client, transaction, tx } = fakeClient();
    const outer: Ctx = { db: tx, user: person, requestId: "r2" };
    expect(await withTransaction(outer, async (ctx) => ctx)).toBe(outer);
    expect(transaction).not.toHaveBeenCalled();
    expect(isClient(client)).toBe(true);
    expect(isClient(tx)).toBe(false);
  });

  it("nests: a verb inside another's transaction runs in the same one", async () => {
    const { client, transaction, tx } = fakeClient();
    const inner = await withTransaction(systemCtx(client, "r3"), (ctx) => withTransaction(ctx, async (nested) => nested.db));
    expect(inner).toBe(tx);
    expect(transaction).toHaveBeenCalledTimes(1);
  });

  it("passes a throw through (the client's transaction rolls back on it)", async () => {
    const { client } = fakeClient();
    await expect(withTransaction(systemCtx(client), async () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
  });
});

describe("systemCtx", () => {
  it("is nobody, with the given or a fresh request id", () => {
    const { client } = fakeClient();
    expect(systemCtx(client, "job-1")).toEqual({ db: client, user: null, requestId: "job-1" });
    expect(systemCtx(client).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
