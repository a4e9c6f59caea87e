import { monitorEventLoopDelay } from "node:perf_hooks";
import { hashSync } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "./passwords";

describe("passwords", () => {
  it("hashes with argon2id and verifies", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("Correct horse battery staple", hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it("still accepts bcrypt hashes made before argon2id, and marks them for rehashing", async () => {
    const legacy = await bcrypt.hash("an old password", 4);
    expect(await verifyPassword("an old password", legacy)).toBe(true);
    expect(await verifyPassword("another", legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });

  it("marks argon2 hashes with other settings for rehashing", () => {
    expect(needsRehash(hashSync("x", { memoryCost: 4096, timeCost: 3 }))).toBe(true);
    expect(needsRehash(hashSync("x", { algorithm: 1 }))).toBe(true); // argon2i
    expect(needsRehash(null)).toBe(false);
    expect(needsRehash("garbage")).toBe(true);
  });

  it("fails closed on a missing or unreadable hash", async () => {
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", "$argon2id$v=19$broken")).toBe(false);
    expect(await verifyPassword("anything", "not a hash")).toBe(false);
  });

  it("hashes off the main thread: the event loop keeps turning while passwords are hashed", async () => {
    const count = 32;
    /** Runs `work` and reports how long it took and the longest the event loop was kept waiting. */
    async function measure(work: () => Promise<unknown>) {
      const monitor = monitorEventLoopDelay({ resolution: 2 });
      monitor.enable();
      await new Promise((resolve) => setTimeout(resolve, 10)); // the monitor needs a first sample to measure from
      const start = performance.now();
      await work();
      const elapsedMs = performance.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 10)); // let the monitor sample after the work
      monitor.disable();
      return { elapsedMs, maxDelayMs: monitor.max / 1e6 };
    }

    // The monitor does see blocking: the same hashes done synchronously hold the loop throughout.
    const blocking = await measure(async () => {
      for (let i = 0; i < count; i++) hashSync(`password number ${i}`, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    });
    expect(blocking.maxDelayMs).toBeGreaterThan(blocking.elapsedMs * 0.8);

    // hashPassword runs on the libuv pool: the loop is never held for more than a sliver of the work.
    const pooled = await measure(() => Promise.all(Array.from({ length: count }, (_, i) => hashPassword(`password number ${i}`))));
    expect(pooled.maxDelayMs).toBeLessThan(pooled.elapsedMs / 4);
    expect(pooled.maxDelayMs).toBeLessThan(blocking.maxDelayMs / 4);
  });
});
