import { Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Everything a stream yields, as one Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Feeds `data` through `transform` in chunks (a fixed size, or a size per chunk index, at least
 * 1 byte), as a network or file stream would cut it, and returns what comes out the other side.
 * Rejects with the transform's error.
 */
export async function throughTransform(
  transform: Transform,
  data: Buffer,
  chunkSize: number | ((index: number) => number) = 1 << 20,
): Promise<Buffer> {
  const sizeOf = typeof chunkSize === "number" ? () => chunkSize : chunkSize;
  const chunks: Buffer[] = [];
  for (let i = 0, at = 0; at < data.length; i++) {
    const size = Math.max(1, sizeOf(i));
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  let output: Buffer | undefined;
  await pipeline(Readable.from(chunks), transform, async (source: AsyncIterable<unknown>) => {
    output = await collect(source);
  });
  return output ?? Buffer.alloc(0);
}
