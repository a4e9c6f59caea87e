import "server-only";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  assertKeyInside,
  BackupStoreError,
  InvalidKeyError,
  ObjectNotFoundError,
  ObjectTooLargeError,
  type BackupStore,
  type StoredObject,
} from "@/lib/providers/types";

const PAGE = 1000;

/** Backups in a folder on this machine; a key is a path below the folder. */
export class LocalBackupStore implements BackupStore {
  readonly prefix = "";
  readonly location: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.location = `folder ${this.root}`;
  }

  /** The file for a key, refusing anything that would resolve outside the folder. */
  private fileFor(key: string): string {
    assertKeyInside(this.prefix, key);
    const file = path.resolve(this.root, key);
    if (!file.startsWith(this.root + path.sep) || key.split(/[\\/]/).includes("..")) {
      throw new InvalidKeyError("That object is not inside this environment's backup folder.");
    }
    return file;
  }

  async *list(): AsyncIterable<StoredObject[]> {
    try {
      await stat(this.root);
    } catch (error) {
      throw new BackupStoreError("bucket-missing", `The backup folder ${this.root} does not exist.`, { cause: error });
    }
    let page: StoredObject[] = [];
    const walk = async function* (dir: string, root: string): AsyncGenerator<StoredObject> {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(full, root);
        else if (entry.isFile() && !entry.name.endsWith(".partial")) {
          const info = await stat(full);
          yield {
            key: path.relative(root, full).split(path.sep).join("/"),
            size: info.size,
            lastModified: info.mtime,
            etag: `${info.size}-${info.mtimeMs}`,
          };
        }
      }
    };
    for await (const object of walk(this.root, this.root)) {
      page.push(object);
      if (page.length === PAGE) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  async stat(key: string): Promise<StoredObject | null> {
    const info = await stat(this.fileFor(key)).catch(() => null);
    return info?.isFile() ? { key, size: info.size, lastModified: info.mtime, etag: `${info.size}-${info.mtimeMs}` } : null;
  }

  async read(key: string): Promise<Readable> {
    const file = this.fileFor(key);
    // Open first so a missing file is an error here, not later inside the stream.
    const handle = await open(file, "r").catch((error: unknown) => {
      throw new ObjectNotFoundError(`The object ${JSON.stringify(key)} does not exist in ${this.location}.`, { cause: error });
    });
    // The stream owns the handle and closes it when done.
    return handle.createReadStream({ highWaterMark: 1 << 20, autoClose: true });
  }

  async readSmall(key: string, maxBytes: number): Promise<Buffer> {
    const info = await this.stat(key);
    if (!info) throw new ObjectNotFoundError(`The object ${JSON.stringify(key)} does not exist in ${this.location}.`);
    if (info.size > maxBytes) throw new ObjectTooLargeError(`${key} is larger than ${maxBytes} bytes.`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async write(key: string, body: Readable | Buffer): Promise<void> {
    const file = this.fileFor(key);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    try {
      const out = createWriteStream(partial);
      if (Buffer.isBuffer(body)) {
        await new Promise<void>((resolve, reject) => out.end(body, (error?: Error | null) => (error ? reject(error) : resolve())));
      } else {
        await pipeline(body, out);
      }
      // Readers never see a half-written object.
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }
}
