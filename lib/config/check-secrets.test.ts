import { afterEach, describe, expect, it } from "vitest";
import { demoConfig } from "./demo";
import { secretRefsOf, unreadableSecrets } from "./check-secrets";

const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
});

describe("the secrets a worker needs", () => {
  it("finds every secret reference of the demo configuration, with where it is", () => {
    const refs = secretRefsOf(demoConfig());
    expect(refs.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        "environments[0].pitr.passwordFrom",
        "environments[0].backupStore.accessKeyIdFrom",
        "environments[0].backupStore.secretAccessKeyFrom",
        "environments[0].restoreTargets[0].passwordFrom",
      ]),
    );
  });

  it("names each secret this process cannot read, and nothing when all are there", async () => {
    const config = demoConfig();
    for (const { ref } of secretRefsOf(config)) if ("env" in ref) process.env[ref.env] = "x";
    expect(await unreadableSecrets(config)).toEqual([]);
    const missing = secretRefsOf(config).find((r) => r.path === "environments[0].restoreTargets[0].passwordFrom");
    const name = missing && "env" in missing.ref ? missing.ref.env : null;
    if (!name) throw new Error("the demo's first restore target reads its password from the environment");
    delete process.env[name];
    const problems = await unreadableSecrets(config);
    expect(problems.some((p) => p.startsWith("environments[0].restoreTargets[0].passwordFrom: ") && p.includes(`${name} is not set`))).toBe(
      true,
    );
  });
});
