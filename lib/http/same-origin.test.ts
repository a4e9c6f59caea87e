import { describe, expect, it } from "vitest";
import { checkSameOrigin, isSafeMethod, originOf } from "./same-origin";

const APP = "http://127.0.0.1:3210";

describe("checkSameOrigin", () => {
  it("accepts the public URL's origin, Sec-Fetch-Site: same-origin, or a bearer token", () => {
    expect(checkSameOrigin(new Headers({ origin: APP }), APP)).toEqual({ ok: true, via: "origin" });
    expect(checkSameOrigin(new Headers({ origin: "http://localhost:3210", "sec-fetch-site": "same-origin" }), APP)).toEqual({
      ok: true,
      via: "sec-fetch-site",
    });
    expect(checkSameOrigin(new Headers({ authorization: "Bearer eyJhbGciOi" }), APP)).toEqual({ ok: true, via: "bearer" });
  });

  it.each([
    ["no proof at all", {}],
    ["another port of the same host", { origin: "http://127.0.0.1:4444", "sec-fetch-site": "same-site" }],
    ["another site", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["an opaque origin (sandboxed frame, data: URL)", { origin: "null" }],
    ["a prefix of the app's origin", { origin: "http://127.0.0.1:32100" }],
    ["a path-bearing lookalike", { origin: `${APP}.evil.example` }],
    ["same-site is not same-origin", { "sec-fetch-site": "same-site" }],
    ["a navigation from nowhere", { "sec-fetch-site": "none" }],
    ["a Basic authorization header", { authorization: "Basic dXNlcjpwYXNz" }],
  ])("refuses %s", (_name, headers: Record<string, string>) => {
    expect(checkSameOrigin(new Headers(headers), APP).ok).toBe(false);
  });

  it("without a configured public URL, only Sec-Fetch-Site can prove it", () => {
    expect(checkSameOrigin(new Headers({ origin: APP }), "").ok).toBe(false);
    expect(checkSameOrigin(new Headers({ "sec-fetch-site": "same-origin" }), "").ok).toBe(true);
  });
});

describe("helpers", () => {
  it("GET, HEAD and OPTIONS are the safe methods", () => {
    expect(["GET", "HEAD", "OPTIONS"].every(isSafeMethod)).toBe(true);
    expect(["POST", "PUT", "PATCH", "DELETE"].some(isSafeMethod)).toBe(false);
  });

  it("the origin of a public URL drops the path and a trailing slash", () => {
    expect(originOf("https://restore.example.com/console/")).toBe("https://restore.example.com");
    expect(originOf("http://127.0.0.1:3210")).toBe(APP);
  });
});
