import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { S3RVER_CREDENTIALS, startS3Server, type LocalS3Server } from "@/scripts/lib/s3-server";

export interface TestS3 {
  server: LocalS3Server;
  bucket: string;
  store(prefix: string, overrides?: Partial<Parameters<typeof S3BackupStore.fromSettings>[0]>): S3BackupStore;
  stop(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on loopback, in a temporary folder. */
export async function startTestS3(bucket = "backups"): Promise<TestS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "rc-s3-"));
  const server = await startS3Server({ directory, buckets: [bucket] });
  return {
    server,
    bucket,
    store: (prefix, overrides = {}) =>
      S3BackupStore.fromSettings({
        bucket,
        prefix,
        endpoint: server.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { ...S3RVER_CREDENTIALS },
        ...overrides,
      }),
    async stop() {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
