import type { EnvironmentConfig } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import { BadRequestError } from "@/lib/errors";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { LocalBackupStore } from "@/lib/providers/local/local-backup-store";
import type { BackupStore } from "@/lib/providers/types";

/** The backup store an environment's configuration describes, credentials resolved at use time. */
export async function backupStoreFor(environment: EnvironmentConfig): Promise<BackupStore> {
  const store = environment.backupStore;
  if (!store) throw new BadRequestError(`Environment ${environment.name} has no backup store configured.`);
  if (store.kind === "local") return new LocalBackupStore(store.path);
  const credentials =
    store.accessKeyIdFrom && store.secretAccessKeyFrom
      ? { accessKeyId: await resolveSecret(store.accessKeyIdFrom), secretAccessKey: await resolveSecret(store.secretAccessKeyFrom) }
      : undefined;
  return S3BackupStore.fromSettings({
    bucket: store.bucket,
    prefix: store.prefix,
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: store.forcePathStyle,
    credentials,
  });
}
