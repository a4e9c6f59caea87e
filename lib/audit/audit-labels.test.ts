import { describe, expect, it } from "vitest";
import { auditActionLabel, auditSubject } from "./audit-labels";

describe("audit labels", () => {
  it("says an action code in words, with phrases where splitting reads badly", () => {
    expect(auditActionLabel("restore.rollback.start")).toBe("Restore: rollback start");
    expect(auditActionLabel("pitr.cut-over")).toBe("Point-in-time restore: cut over");
    expect(auditActionLabel("restore.swap.confirm")).toBe("Restore: swap confirmed");
    expect(auditActionLabel("drill.not-started")).toBe("Drill: scheduled drill did not start");
    expect(auditActionLabel("something.new")).toBe("something: new");
    expect(auditActionLabel("auth.sign_in")).toBe("Signed in");
    expect(auditActionLabel("user.role_change")).toBe("Person: role change");
    expect(auditActionLabel("api_token.revoke")).toBe("API token: revoke");
    expect(auditActionLabel("demo.outage.start")).toBe("Demo: simulated primary region outage started");
    expect(auditActionLabel("demo.outage.end")).toBe("Demo: simulated primary region outage ended");
  });

  it("names a subject and links the ones with a page", () => {
    expect(auditSubject("restore-run", "abc")).toEqual({ label: "Run abc", href: "/restores/abc" });
    expect(auditSubject("environment", "demo")).toEqual({ label: "Environment demo", href: null });
    expect(auditSubject(null, null)).toBeNull();
  });
});
