import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, servedOverHttps } from "./security-headers";

describe("contentSecurityPolicy", () => {
  it("allows scripts only by this response's nonce, and forbids framing, plugins, foreign forms and base URLs", () => {
    const csp = contentSecurityPolicy("abc123==");
    const directives = Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives["script-src"]).toBe("'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(directives["frame-ancestors"]).toBe("'none'");
    expect(directives["object-src"]).toBe("'none'");
    expect(directives["base-uri"]).toBe("'self'");
    expect(directives["form-action"]).toBe("'self'");
    expect(directives["default-src"]).toBe("'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("adds eval only in development, and upgrade-insecure-requests only over https", () => {
    expect(contentSecurityPolicy("n", { dev: true })).toContain("'strict-dynamic' 'unsafe-eval'");
    expect(contentSecurityPolicy("n", { https: true })).toContain("upgrade-insecure-requests");
  });
});

describe("createNonce", () => {
  it("is 128 random bits, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("servedOverHttps", () => {
  it("believes the URL or the first X-Forwarded-Proto hop", () => {
    expect(servedOverHttps(new URL("https://rc.example.com/"), new Headers())).toBe(true);
    expect(servedOverHttps(new URL("http://127.0.0.1:3000/"), new Headers({ "x-forwarded-proto": "https, http" }))).toBe(true);
    expect(servedOverHttps(new URL("http://127.0.0.1:3000/"), new Headers())).toBe(false);
  });
});
