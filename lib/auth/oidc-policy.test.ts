import { describe, expect, it } from "vitest";
import {
  claimValues,
  decideOidcSignIn,
  mapRole,
  normalizeIssuer,
  oidcRefusalMessage,
  oidcRefusalUrl,
  OIDC_REFUSALS,
  parseDomains,
  parseList,
  parseRoleMap,
  type OidcSettings,
} from "./oidc-policy";

const settings = (over: Partial<OidcSettings> = {}): OidcSettings => ({
  issuer: "https://sso.example.com",
  clientId: "restore-console",
  clientSecret: "x",
  name: "Okta",
  scopes: "openid email profile groups",
  allowedDomains: [],
  allowedGroups: [],
  groupsClaim: "groups",
  roleClaim: "groups",
  roleMap: [],
  defaultRole: undefined,
  ...over,
});

const claims = (over: Record<string, unknown> = {}) => ({
  iss: "https://sso.example.com/",
  sub: "00u1",
  email: "Ada@Example.com",
  email_verified: true,
  name: "Ada",
  groups: ["sre"],
  ...over,
});

const ROLE_MAP = parseRoleMap("sre-admins=admin, sre=operator ,staff=viewer").mappings;

describe("parseRoleMap", () => {
  it("reads value=role pairs, spaces around them trimmed and inside group names kept", () => {
    expect(parseRoleMap("sre-admins=admin, sre=operator, Database Team=viewer")).toEqual({
      mappings: [
        { value: "sre-admins", role: "admin" },
        { value: "sre", role: "operator" },
        { value: "Database Team", role: "viewer" },
      ],
      problems: [],
    });
  });

  it("names every bad pair: no '=', an unknown role, an empty value", () => {
    const { problems } = parseRoleMap("sre=root,staff,=admin");
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('"sre=root"');
    expect(problems[0]).toContain("viewer, operator, admin");
  });

  it("an empty map is no map", () => {
    expect(parseRoleMap(undefined)).toEqual({ mappings: [], problems: [] });
    expect(parseRoleMap(" , ")).toEqual({ mappings: [], problems: [] });
  });
});

describe("lists and claims", () => {
  it("domains lose '@' and case; groups split on commas only", () => {
    expect(parseDomains("@Example.com example.org,, corp.example")).toEqual(["example.com", "example.org", "corp.example"]);
    expect(parseList("SRE Admins, sre")).toEqual(["SRE Admins", "sre"]);
  });

  it("reads literal (namespaced) claim names first, then dotted paths", () => {
    const c = { "https://example.com/groups": ["a"], realm_access: { roles: ["b", 3, ""] }, single: "c" };
    expect(claimValues(c, "https://example.com/groups")).toEqual(["a"]);
    expect(claimValues(c, "realm_access.roles")).toEqual(["b"]);
    expect(claimValues(c, "single")).toEqual(["c"]);
    expect(claimValues(c, "missing.path")).toEqual([]);
  });

  it("maps to the highest matching role, matching exactly", () => {
    expect(mapRole(["staff", "sre"], ROLE_MAP)).toBe("operator");
    expect(mapRole(["sre", "sre-admins", "staff"], ROLE_MAP)).toBe("admin");
    expect(mapRole(["SRE"], ROLE_MAP)).toBeUndefined();
    expect(mapRole([], ROLE_MAP)).toBeUndefined();
  });

  it("issuers compare without a trailing slash", () => {
    expect(normalizeIssuer("https://sso.example.com/realms/ops/")).toBe("https://sso.example.com/realms/ops");
  });
});

describe("decideOidcSignIn", () => {
  it("accepts a verified email, binding (issuer, subject) and lower-casing the email", () => {
    expect(decideOidcSignIn(claims(), settings())).toEqual({
      ok: true,
      issuer: "https://sso.example.com",
      subject: "00u1",
      email: "ada@example.com",
      name: "Ada",
      groups: ["sre"],
      role: undefined,
    });
  });

  it("refuses without issuer or subject", () => {
    expect(decideOidcSignIn(claims({ sub: "" }), settings())).toMatchObject({ ok: false, reason: "identity_missing" });
    expect(decideOidcSignIn(claims({ iss: undefined }), settings())).toMatchObject({ ok: false, reason: "identity_missing" });
  });

  it("refuses a missing or malformed email", () => {
    expect(decideOidcSignIn(claims({ email: undefined }), settings())).toMatchObject({ ok: false, reason: "email_missing" });
    expect(decideOidcSignIn(claims({ email: "not an email" }), settings())).toMatchObject({ ok: false, reason: "email_missing" });
  });

  it("requires email_verified to be true (or the string 'true'), nothing else", () => {
    for (const value of [false, undefined, "false", 1, "yes", null]) {
      expect(decideOidcSignIn(claims({ email_verified: value }), settings())).toMatchObject({ ok: false, reason: "email_unverified" });
    }
    expect(decideOidcSignIn(claims({ email_verified: "true" }), settings())).toMatchObject({ ok: true });
  });

  it("checks the email domain exactly against the allowlist (no subdomains, no look-alikes)", () => {
    const s = settings({ allowedDomains: ["example.com"] });
    expect(decideOidcSignIn(claims(), s)).toMatchObject({ ok: true });
    for (const email of ["ada@evil.example", "ada@sub.example.com", "ada@example.com.evil.test", "example.com@evil.test"]) {
      expect(decideOidcSignIn(claims({ email }), s)).toMatchObject({ ok: false, reason: "domain_not_allowed" });
    }
  });

  it("requires one allowed group when groups are allowlisted", () => {
    const s = settings({ allowedGroups: ["sre", "sre-admins"] });
    expect(decideOidcSignIn(claims(), s)).toMatchObject({ ok: true });
    expect(decideOidcSignIn(claims({ groups: ["staff"] }), s)).toMatchObject({ ok: false, reason: "group_not_allowed", groups: ["staff"] });
    expect(decideOidcSignIn(claims({ groups: undefined }), s)).toMatchObject({ ok: false, reason: "group_not_allowed" });
  });

  it("checks domains and groups both when both are set", () => {
    const s = settings({ allowedDomains: ["example.com"], allowedGroups: ["sre"] });
    expect(decideOidcSignIn(claims({ email: "a@other.test" }), s)).toMatchObject({ reason: "domain_not_allowed" });
    expect(decideOidcSignIn(claims({ groups: [] }), s)).toMatchObject({ reason: "group_not_allowed" });
  });

  it("takes the role from the mapping", () => {
    const s = settings({ roleMap: ROLE_MAP });
    expect(decideOidcSignIn(claims({ groups: ["sre"] }), s)).toMatchObject({ ok: true, role: "operator" });
    expect(decideOidcSignIn(claims({ groups: ["staff", "sre-admins"] }), s)).toMatchObject({ ok: true, role: "admin" });
    expect(decideOidcSignIn(claims({ groups: ["staff"] }), s)).toMatchObject({ ok: true, role: "viewer" });
  });

  it("with a mapping, no match is refused, unless a default role is set", () => {
    expect(decideOidcSignIn(claims({ groups: ["marketing"] }), settings({ roleMap: ROLE_MAP }))).toMatchObject({
      ok: false,
      reason: "no_role",
    });
    expect(decideOidcSignIn(claims({ groups: [] }), settings({ roleMap: ROLE_MAP, defaultRole: "viewer" }))).toMatchObject({
      ok: true,
      role: "viewer",
    });
  });

  it("may read the role from another claim than the groups", () => {
    const s = settings({ roleMap: parseRoleMap("restore-admin=admin").mappings, roleClaim: "realm_access.roles" });
    expect(decideOidcSignIn(claims({ groups: ["restore-admin"], realm_access: { roles: [] } }), s)).toMatchObject({
      ok: false,
      reason: "no_role",
    });
    expect(decideOidcSignIn(claims({ realm_access: { roles: ["restore-admin"] } }), s)).toMatchObject({ ok: true, role: "admin" });
  });
});

describe("refusal messages", () => {
  it("has its own message for each reason, naming the provider where it helps", () => {
    const messages = OIDC_REFUSALS.map((r) => oidcRefusalMessage(r, "Okta"));
    expect(new Set(messages).size).toBe(OIDC_REFUSALS.length);
    expect(oidcRefusalMessage("email_unverified", "Okta")).toMatch(/Okta has not verified/);
    expect(oidcRefusalMessage("email_in_use", "Okta")).toMatch(/ask an admin to link/);
    expect(oidcRefusalMessage("<script>", "Okta")).toMatch(/was refused/);
  });

  it("sends the person back to the sign-in page with the reason", () => {
    expect(oidcRefusalUrl("http://127.0.0.1:3000", "no_role")).toBe("http://127.0.0.1:3000/signin?error=OidcRefused&reason=no_role");
    expect(oidcRefusalUrl(undefined, "disabled")).toBe("/signin?error=OidcRefused&reason=disabled");
  });
});
