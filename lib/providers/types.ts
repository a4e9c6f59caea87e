import "server-only";
import type { Readable } from "node:stream";
import { BadRequestError, NotFoundError, UnavailableError } from "@/lib/errors";

/** One object in a backup store. `key` is the full key, prefix included. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
  etag: string | null;
}

/**
 * Where backups live: S3 (AWS or any S3-compatible server) or a local folder. Keys are data,
 * never paths or shell words: every method refuses a key outside the store's prefix.
 */
export interface BackupStore {
  /** For people: `s3://bucket/prefix/ at https://endpoint`. */
  readonly location: string;
  readonly prefix: string;
  /** Every object under the prefix, one page at a time. */
  list(options?: { signal?: AbortSignal }): AsyncIterable<StoredObject[]>;
  stat(key: string): Promise<StoredObject | null>;
  /** A stream of the object's bytes (never buffered whole). */
  read(key: string, options?: { signal?: AbortSignal }): Promise<Readable>;
  /** The whole object, for small ones (manifests); refuses anything over `maxBytes`. */
  readSmall(key: string, maxBytes: number): Promise<Buffer>;
  write(key: string, body: Readable | Buffer, options?: { contentLength?: number }): Promise<void>;
}

export type StoreFailure = "unreachable" | "access-denied" | "bucket-missing" | "unknown";

/** The store itself is not usable: unreachable, wrong credentials, missing bucket. */
export class BackupStoreError extends UnavailableError {
  constructor(
    readonly failure: StoreFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ObjectNotFoundError extends NotFoundError {}

export class ObjectTooLargeError extends BadRequestError {}

export class InvalidKeyError extends BadRequestError {}

/** Refuses keys that are not inside the store's prefix or hold characters no backup key has. */
export function assertKeyInside(prefix: string, key: string): void {
  if (!key.startsWith(prefix) || key.length === prefix.length) {
    throw new InvalidKeyError("That object is not inside this environment's backup prefix.");
  }
  if (key.includes("\u0000")) throw new InvalidKeyError("Object keys cannot contain NUL characters.");
  if (Buffer.byteLength(key) > 1024) throw new InvalidKeyError("Object keys are at most 1,024 bytes.");
}
