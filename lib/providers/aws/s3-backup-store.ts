import "server-only";
import { Readable } from "node:stream";
import { s3Location } from "@/lib/providers/store-location";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  assertKeyInside,
  BackupStoreError,
  ObjectNotFoundError,
  ObjectTooLargeError,
  type BackupStore,
  type StoredObject,
} from "@/lib/providers/types";

export interface S3StoreSettings {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Client settings that work with AWS and with S3-compatible servers: checksums only when an
 * operation requires them (with SDK defaults, a streamed upload to some servers is stored with
 * its aws-chunked framing — corrupt, yet answered 200).
 */
export function s3ClientConfig(settings: S3StoreSettings): S3ClientConfig {
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  };
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"]);

/** SDK errors never leave the provider: they become our store errors with a next step. */
export function translateS3Error(error: unknown, where: string, key?: string): Error {
  const name = error instanceof Error ? error.name : "";
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const code = (error as { code?: string } | null)?.code ?? "";
  if (name === "NoSuchKey" || name === "NotFound" || (status === 404 && key && name !== "NoSuchBucket")) {
    return new ObjectNotFoundError(`The object ${JSON.stringify(key)} does not exist in ${where}.`, { cause: error });
  }
  if (name === "NoSuchBucket") {
    return new BackupStoreError("bucket-missing", `The bucket for ${where} does not exist. Check the bucket name in the configuration.`, {
      cause: error,
    });
  }
  if (
    ["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "Forbidden"].includes(name) ||
    status === 403
  ) {
    return new BackupStoreError(
      "access-denied",
      `Access to ${where} was denied. Check the credentials (access key and secret) and that they may list and read this bucket.`,
      { cause: error },
    );
  }
  if (
    NETWORK_CODES.has(code) ||
    name === "TimeoutError" ||
    (error instanceof Error && /ECONNREFUSED|ENOTFOUND|socket hang up/.test(error.message))
  ) {
    return new BackupStoreError(
      "unreachable",
      `Could not reach the object store for ${where}. Check the endpoint and that the server is running.`,
      { cause: error },
    );
  }
  return new BackupStoreError("unknown", `The object store for ${where} answered with an error (${name || "unknown"}).`, { cause: error });
}

export class S3BackupStore implements BackupStore {
  readonly prefix: string;
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly settings: S3StoreSettings,
  ) {
    this.prefix = settings.prefix;
    this.location = s3Location(settings);
  }

  static fromSettings(settings: S3StoreSettings): S3BackupStore {
    return new S3BackupStore(new S3Client(s3ClientConfig(settings)), settings);
  }

  async *list(options: { signal?: AbortSignal } = {}): AsyncIterable<StoredObject[]> {
    let continuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: this.prefix,
            ContinuationToken: continuationToken,
            // Keys come back URL-encoded, so control characters survive the XML round trip.
            EncodingType: "url",
          }),
          { abortSignal: options.signal },
        );
      } catch (error) {
        throw translateS3Error(error, this.location);
      }
      const objects: StoredObject[] = [];
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        // Only a server that says it encoded the keys gets them decoded (some S3-compatible servers ignore the request).
        const key = page.EncodingType === "url" ? decodeS3Key(item.Key) : item.Key;
        // Defence in depth: never surface anything outside our prefix.
        if (!key.startsWith(this.prefix)) continue;
        objects.push({ key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0), etag: item.ETag ?? null });
      }
      yield objects;
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async stat(key: string): Promise<StoredObject | null> {
    assertKeyInside(this.prefix, key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0), etag: head.ETag ?? null };
    } catch (error) {
      const translated = translateS3Error(error, this.location, key);
      if (translated instanceof ObjectNotFoundError) return null;
      throw translated;
    }
  }

  async read(key: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    assertKeyInside(this.prefix, key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }), {
        abortSignal: options.signal,
      });
      if (!(result.Body instanceof Readable)) throw new Error("GetObject returned no stream");
      return result.Body;
    } catch (error) {
      throw translateS3Error(error, this.location, key);
    }
  }

  async readSmall(key: string, maxBytes: number): Promise<Buffer> {
    const stream = await this.read(key);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        stream.destroy();
        throw new ObjectTooLargeError(`${key} is larger than ${maxBytes} bytes.`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async write(key: string, body: Readable | Buffer): Promise<void> {
    assertKeyInside(this.prefix, key);
    try {
      // Multipart for large streams, a single PUT for small bodies.
      await new Upload({ client: this.client, params: { Bucket: this.settings.bucket, Key: key, Body: body } }).done();
    } catch (error) {
      throw translateS3Error(error, this.location, key);
    }
  }
}

/**
 * ListObjectsV2 with EncodingType=url percent-encodes keys form-style: a space comes back as `+`
 * and a literal `+` as %2B, so `+` can safely mean space.
 */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, "%20"));
}
