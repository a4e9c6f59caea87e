import { PayloadTooLargeError, UnsupportedMediaTypeError, BadRequestError } from "@/lib/errors";

/** The largest request body an API route reads; our biggest real body (a checklist template) is a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * True only for `application/json`, optionally with `charset=utf-8` (the one parameter JSON
 * allows; RFC 8259 says UTF-8). Parsed, not searched: `text/plain; application/json` — which
 * a cross-site form or no-cors fetch can send without a preflight — is refused.
 */
export function isJsonMediaType(header: string | null): boolean {
  if (header === null) return false;
  const [essence = "", ...parameters] = header.split(";");
  if (essence.trim().toLowerCase() !== "application/json") return false;
  const seen = new Set<string>();
  for (const raw of parameters) {
    const parameter = raw.trim();
    if (parameter === "") continue; // a stray ";"
    const eq = parameter.indexOf("=");
    if (eq <= 0) return false;
    const name = parameter.slice(0, eq).trim().toLowerCase();
    let value = parameter.slice(eq + 1).trim();
    if (!TOKEN.test(name) || name !== "charset" || seen.has(name)) return false;
    seen.add(name);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!/^utf-?8$/i.test(value)) return false;
  }
  return true;
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body is larger than ${Math.round(limit / 1024)} KiB. Send less data in one request.`);
}

/**
 * Reads a request body, but never more than `limit` bytes: a declared Content-Length over the
 * limit is refused before reading, and a stream that runs past it is cancelled there, so a
 * 100 MB body is never buffered. Returns undefined when there is no body (or it is empty).
 */
export async function readCappedBody(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array | undefined> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (total === 0) return undefined;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The JSON body of a mutating request: bounded (413), exactly `application/json` (415), valid
 * UTF-8 JSON (400). Undefined when the request has no body.
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const bytes = await readCappedBody(request, limit);
  if (bytes === undefined) return undefined;
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    throw new UnsupportedMediaTypeError(
      "Send the request body as JSON, with Content-Type: application/json (charset=utf-8 is the only parameter allowed).",
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError("The request body is not valid UTF-8.");
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError("The request body is not valid JSON.");
  }
}
