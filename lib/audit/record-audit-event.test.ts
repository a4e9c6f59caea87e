import { describe, expect, it } from "vitest";
import { actorOf, isSecretKey, keySegments, redactPayload, SYSTEM } from "./record-audit-event";

describe("isSecretKey", () => {
  it.each([
    "password",
    "Password",
    "dbPassword",
    "new_password",
    "passwordHash",
    "passwd",
    "passphrase",
    "secret",
    "clientSecret",
    "NEXTAUTH_SECRET",
    "client-secret",
    "token",
    "accessToken",
    "refresh_token",
    "sessiontoken",
    "x-auth-token",
    "apiKey",
    "api_key",
    "x-api-key",
    "APIKey",
    "apikey",
    "privateKey",
    "private-key",
    "secretAccessKey",
    "AWS_SECRET_ACCESS_KEY",
    "authorization",
    "Authorization",
    "cookie",
    "Set-Cookie",
    "credentials",
    "credential",
    "webhookUrl",
    "connectionString",
    "databaseUrl",
    "DATABASE_URL",
    "dsn",
  ])("redacts %s", (key) => expect(isSecretKey(key)).toBe(true));

  it.each([
    "passed",
    "passedCount",
    "allPassed",
    "validationPassed",
    "bypass",
    "passenger",
    "passengerCount",
    "compass",
    "tokenizer",
    "secretary",
    "keyboard",
    "key",
    "monkey",
    "authored",
    "author",
    "cookieless",
    "email",
    "role",
    "reason",
    "environment",
    "checks",
    "sessionsEnded",
    "requestId",
  ])("keeps %s", (key) => expect(isSecretKey(key)).toBe(false));

  it("splits keys into words", () => {
    expect(keySegments("AWS_SECRET_ACCESS_KEY")).toEqual(["aws", "secret", "access", "key"]);
    expect(keySegments("xAPIKey2")).toEqual(["x", "api", "key", "2"]);
    expect(keySegments("set-cookie.value")).toEqual(["set", "cookie", "value"]);
  });
});

describe("redactPayload", () => {
  it("keeps a validation event's `passed`, redacts secrets at any depth, keeps flags under a secret's name", () => {
    const payload = {
      checks: [
        { name: "row counts", passed: true },
        { name: "orphans", passed: false },
      ],
      passed: 3,
      target: { host: "db", password: "hunter2", connectionString: "postgres://u:hunter2@db/x" },
      headers: { authorization: "Bearer abc", cookie: "next-auth.session-token=abc" },
      replacedOneTimePassword: true,
      apiKey: null,
    };
    expect(redactPayload(payload)).toEqual({
      checks: [
        { name: "row counts", passed: true },
        { name: "orphans", passed: false },
      ],
      passed: 3,
      target: { host: "db", password: "[redacted]", connectionString: "[redacted]" },
      headers: { authorization: "[redacted]", cookie: "[redacted]" },
      replacedOneTimePassword: true,
      apiKey: null,
    });
    expect(JSON.stringify(redactPayload(payload))).not.toContain("hunter2");
  });
});

describe("actorOf", () => {
  it("names the ctx's person, or SYSTEM where nobody is signed in", () => {
    expect(actorOf({ user: { id: "u1", email: "ada@example.com", name: "Ada", role: "admin" } })).toEqual({
      id: "u1",
      email: "ada@example.com",
    });
    expect(actorOf({ user: null })).toBe(SYSTEM);
  });
});
