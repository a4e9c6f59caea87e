import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeSecretRef, resolveSecret } from "@/lib/config/secrets";
import { ConfigurationError } from "@/lib/errors";

const VALUE = "pa55-Word-7d1c";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "restore-console-secrets-"));
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ConfigurationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe("resolveSecret", () => {
  it("reads an environment variable at call time", async () => {
    vi.stubEnv("TEST_SECRET_VAR", VALUE);
    const ref = { env: "TEST_SECRET_VAR" };
    expect(await resolveSecret(ref)).toBe(VALUE);
    vi.stubEnv("TEST_SECRET_VAR", "rotated");
    expect(await resolveSecret(ref)).toBe("rotated");
  });

  it("names a missing or empty variable", async () => {
    vi.stubEnv("TEST_SECRET_VAR", undefined);
    const missing = await rejection(resolveSecret({ env: "TEST_SECRET_VAR" }));
    expect(missing.message).toMatch(/^The secret environment variable TEST_SECRET_VAR is not set/);
    vi.stubEnv("TEST_SECRET_VAR", "");
    expect((await rejection(resolveSecret({ env: "TEST_SECRET_VAR" }))).message).toContain("TEST_SECRET_VAR is empty");
  });

  it("reads a file, trimming one trailing newline only", async () => {
    const file = path.join(dir, "secret");
    writeFileSync(file, `${VALUE}\n`);
    expect(await resolveSecret({ file })).toBe(VALUE);
    writeFileSync(file, `${VALUE}\r\n`);
    expect(await resolveSecret({ file })).toBe(VALUE);
    writeFileSync(file, ` ${VALUE}\n\n`);
    expect(await resolveSecret({ file })).toBe(` ${VALUE}\n`);
  });

  it("names a missing, empty or unreadable file without echoing any value", async () => {
    const missing = await rejection(resolveSecret({ file: path.join(dir, "absent") }));
    expect(missing.message).toBe(`The secret file ${path.join(dir, "absent")} does not exist. Check the path and the file's permissions.`);

    writeFileSync(path.join(dir, "empty"), "\n");
    expect((await rejection(resolveSecret({ file: path.join(dir, "empty") }))).message).toContain("is empty");

    expect((await rejection(resolveSecret({ file: dir }))).message).toContain("is a directory");

    vi.stubEnv("TEST_SECRET_VAR", VALUE);
    const errors = [missing, await rejection(resolveSecret({ env: "OTHER_UNSET_VAR_FOR_TEST" }))];
    for (const error of errors) expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(VALUE);
  });
});

describe("describeSecretRef", () => {
  it("says where the secret lives and whether it is there, never the value", () => {
    vi.stubEnv("TEST_SECRET_VAR", VALUE);
    expect(describeSecretRef({ env: "TEST_SECRET_VAR" })).toBe("env TEST_SECRET_VAR (set)");
    vi.stubEnv("TEST_SECRET_VAR", undefined);
    expect(describeSecretRef({ env: "TEST_SECRET_VAR" })).toBe("env TEST_SECRET_VAR (not set)");

    const file = path.join(dir, "secret");
    expect(describeSecretRef({ file })).toBe(`file ${file} (missing)`);
    writeFileSync(file, VALUE);
    expect(describeSecretRef({ file })).toBe(`file ${file} (readable)`);
    expect(describeSecretRef({ file: dir })).toBe(`file ${dir} (not a file)`);
  });

  it.skipIf(process.getuid?.() === 0)("reports a file the app cannot read", () => {
    const file = path.join(dir, "locked");
    writeFileSync(file, VALUE);
    chmodSync(file, 0o000);
    expect(describeSecretRef({ file })).toBe(`file ${file} (not readable)`);
  });
});
