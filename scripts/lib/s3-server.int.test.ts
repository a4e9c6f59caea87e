import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { BackupStoreError } from "@/lib/providers/types";
import { S3RVER_CREDENTIALS, startS3Server, type LocalS3Server } from "./s3-server";

let directory: string;
let flag: string;
let server: LocalS3Server;
let store: S3BackupStore;
const outages: boolean[] = [];

/** A TCP connection to the server: resolves once it is open, rejects with the socket error (ECONNREFUSED). */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "rc-s3-outage-"));
  flag = path.join(directory, ".simulated-outage");
  // Port 0: never the demo's or the end-to-end tests' fixed ports.
  server = await startS3Server({ directory, buckets: ["backups"], outageFlag: flag, onOutage: (down) => void outages.push(down) });
  store = S3BackupStore.fromSettings({
    bucket: "backups",
    prefix: "prod/",
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
  });
});

afterAll(async () => {
  await server?.stop();
  await rm(directory, { recursive: true, force: true });
});

describe("the local S3 server's outage flag", () => {
  it("refuses every connection while the flag exists, drops open ones, and answers on the same port once it is gone", async () => {
    await store.write("prod/a.sql.gz", Buffer.from("nightly"));
    expect(await store.stat("prod/a.sql.gz")).toMatchObject({ size: 7 });
    // Open before the outage, as a client's keep-alive connection would be.
    const kept = await open(server.port);
    const keptClosed = new Promise<void>((resolve) => kept.once("close", () => resolve()));

    await writeFile(flag, "");
    await vi.waitFor(() => expect(outages).toEqual([true]), { timeout: 5_000, interval: 50 });
    await keptClosed;
    await expect(open(server.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const refused = await store.stat("prod/a.sql.gz").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BackupStoreError);
    expect(refused).toMatchObject({ failure: "unreachable" });

    await rm(flag);
    await vi.waitFor(() => expect(outages).toEqual([true, false]), { timeout: 5_000, interval: 50 });
    expect(await store.stat("prod/a.sql.gz")).toMatchObject({ size: 7 });
    expect((await store.readSmall("prod/a.sql.gz", 100)).toString()).toBe("nightly");
  });

  it("goes down and comes back again, as often as the flag is raised", async () => {
    for (let round = 0; round < 2; round++) {
      await writeFile(flag, "");
      await vi.waitFor(() => expect(outages.at(-1)).toBe(true), { timeout: 5_000, interval: 50 });
      await expect(open(server.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
      await rm(flag);
      await vi.waitFor(() => expect(outages.at(-1)).toBe(false), { timeout: 5_000, interval: 50 });
      (await open(server.port)).destroy();
    }
    expect(await store.stat("prod/a.sql.gz")).toMatchObject({ size: 7 });
  });
});
