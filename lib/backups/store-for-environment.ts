import type { BackupStore as BackupStoreConfig, EnvironmentConfig } from "@/lib/config/schema";
import { resolveSecret } from "@/lib/config/secrets";
import { BadRequestError } from "@/lib/errors";
import { S3BackupStore } from "@/lib/providers/aws/s3-backup-store";
import { LocalBackupStore } from "@/lib/providers/local/local-backup-store";
import type { BackupStore } from "@/lib/providers/types";

/** The name a run and the catalog give the environment's own backup store, beside its replicas' names. */
export const PRIMARY_STORE = "primary";

/** A configured store, credentials resolved at use time. */
async function openStore(store: BackupStoreConfig): Promise<BackupStore> {
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

/** The environment's backup store, or (by name) one of its replicas. */
export async function backupStoreFor(environment: EnvironmentConfig, source: string = PRIMARY_STORE): Promise<BackupStore> {
  if (source === PRIMARY_STORE) {
    if (!environment.backupStore) throw new BadRequestError(`Environment ${environment.name} has no backup store configured.`);
    return openStore(environment.backupStore);
  }
  const replica = environment.backupReplicas.find((r) => r.name === source);
  if (!replica) throw new BadRequestError(`Environment ${environment.name} has no backup replica named "${source}".`);
  return openStore(replica.store);
}
