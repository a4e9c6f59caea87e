import { describe, expect, it } from "vitest";
import { EnvironmentConfig, parseConfigFile } from "@/lib/config/schema";
import { fourEyesRule } from "./four-eyes-rule";

const base = { name: "prod", restoreTargets: [{ name: "main", host: "db", database: "app", user: "restore" }] };

describe("fourEyes in the configuration", () => {
  it("defaults to every action, 30 minutes and the operator role", () => {
    const environment = EnvironmentConfig.parse({ ...base, fourEyes: {} });
    expect(environment.fourEyes).toEqual({
      actions: ["swap", "rollback", "pitr-cut-over", "pitr-cleanup", "row-repair", "global-promotion"],
      windowMinutes: 30,
      approverRole: "operator",
    });
    expect(fourEyesRule(environment, "swap", "main")).toEqual({ windowMinutes: 30, approverRole: "operator" });
    expect(fourEyesRule(environment, "pitr-cleanup", "pitr")).not.toBeNull();
    // Promoting a global database's DR cluster counts as target "pitr", like the PITR runs.
    expect(fourEyesRule(environment, "global-promotion", "pitr")).not.toBeNull();
    expect(
      fourEyesRule({ ...environment, fourEyes: { ...environment.fourEyes!, targets: ["main"] } }, "global-promotion", "pitr"),
    ).toBeNull();
  });

  it("is off when left out, and limited to the listed actions and targets", () => {
    expect(fourEyesRule(EnvironmentConfig.parse(base), "swap", "main")).toBeNull();
    const environment = EnvironmentConfig.parse({
      ...base,
      fourEyes: { actions: ["swap"], targets: ["main"], approverRole: "admin", windowMinutes: 10 },
    });
    expect(fourEyesRule(environment, "swap", "main")).toEqual({ windowMinutes: 10, approverRole: "admin" });
    expect(fourEyesRule(environment, "rollback", "main")).toBeNull();
    expect(fourEyesRule(environment, "swap", "pitr")).toBeNull();
  });

  it("names a bad action, role or target", () => {
    const result = parseConfigFile({
      version: 1,
      environments: [{ ...base, fourEyes: { actions: ["drop"], approverRole: "viewer", targets: ["nope"] } }],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\.0\.fourEyes\.actions\.0: expected one of swap/),
        expect.stringMatching(/^environments\.0\.fourEyes\.approverRole: expected "operator" or "admin"/),
      ]),
    );
    const targets = parseConfigFile({ version: 1, environments: [{ ...base, fourEyes: { targets: ["nope"] } }] });
    expect(targets.error?.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('"nope" is not one of this environment\'s restore targets'),
    ]);
  });
});
