import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "@/lib/errors";
import { isJsonMediaType, MAX_BODY_BYTES, readCappedBody, readJsonBody } from "./body";

describe("isJsonMediaType", () => {
  it.each([
    "application/json",
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json;",
  ])("accepts %j", (header) => expect(isJsonMediaType(header)).toBe(true));

  it.each([
    null,
    "",
    "text/plain",
    // What a cross-site form or no-cors fetch can send without a preflight: "contains" is not "is".
    "text/plain; application/json",
    "text/plain;charset=utf-8; application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json-patch+json",
    "application/jsonx",
    "application/json; charset=iso-8859-1",
    "application/json; boundary=x",
    "application/json; charset=utf-8; charset=utf-8",
    "application/json; application/json",
  ])("refuses %j", (header) => expect(isJsonMediaType(header)).toBe(false));
});

/** A body streamed in 16 KiB chunks, counting how many were pulled. */
function streamed(totalBytes: number): { request: Request; pulled: () => number } {
  let sent = 0;
  let pulls = 0;
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls += 1;
      if (sent >= totalBytes) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const request = new Request("http://127.0.0.1:3000/x", {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    duplex: "half",
  } as RequestInit);
  return { request, pulled: () => pulls };
}

describe("readCappedBody", () => {
  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const { request, pulled } = streamed(1024 * 1024);
    const declared = new Request(request, { headers: { "content-length": String(100 * 1024 * 1024) } });
    await expect(readCappedBody(declared)).rejects.toBeInstanceOf(PayloadTooLargeError);
    // Not a byte taken from the body (the stream's own read-ahead is one or two chunks).
    expect(declared.bodyUsed).toBe(false);
    expect(pulled()).toBeLessThanOrEqual(2);
  });

  it("stops reading a stream that runs past the limit: a 100 MB body is never buffered", async () => {
    const { request, pulled } = streamed(100 * 1024 * 1024);
    await expect(readCappedBody(request)).rejects.toThrow(/larger than 64 KiB/);
    // 64 KiB / 16 KiB = 4 chunks, the fifth crosses the limit (plus the stream's own read-ahead).
    expect(pulled()).toBeLessThan(10);
  });

  it("reads a body at the limit exactly", async () => {
    const body = "x".repeat(MAX_BODY_BYTES);
    const bytes = await readCappedBody(new Request("http://127.0.0.1:3000/x", { method: "POST", body }));
    expect(bytes?.byteLength).toBe(MAX_BODY_BYTES);
  });

  it("returns undefined for no body and for an empty one", async () => {
    expect(await readCappedBody(new Request("http://127.0.0.1:3000/x", { method: "POST" }))).toBeUndefined();
    expect(await readCappedBody(new Request("http://127.0.0.1:3000/x", { method: "POST", body: "" }))).toBeUndefined();
  });
});

describe("readJsonBody", () => {
  const post = (body: string, contentType?: string) =>
    new Request("http://127.0.0.1:3000/x", { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });

  it("parses JSON sent as application/json", async () => {
    expect(await readJsonBody(post('{"a":1}', "application/json; charset=utf-8"))).toEqual({ a: 1 });
  });

  it("refuses a body without the exact media type (415)", async () => {
    await expect(readJsonBody(post('{"a":1}', "text/plain; application/json"))).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    await expect(readJsonBody(post('{"a":1}'))).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it("refuses invalid JSON and invalid UTF-8 (400)", async () => {
    await expect(readJsonBody(post("{nope", "application/json"))).rejects.toThrow(/not valid JSON/);
    const latin1 = new Request("http://127.0.0.1:3000/x", {
      method: "POST",
      body: new Uint8Array([0x22, 0xe9, 0x22]),
      headers: { "content-type": "application/json" },
    });
    await expect(readJsonBody(latin1)).rejects.toThrow(/not valid UTF-8/);
  });
});
