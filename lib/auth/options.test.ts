import { afterEach, describe, expect, it } from "vitest";
import { buildAuthOptions, OIDC_PROVIDER_ID } from "./options";

const base = { DATABASE_URL: "postgresql://x@127.0.0.1/x", NEXTAUTH_SECRET: "s".repeat(40) };
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
});

describe("buildAuthOptions", () => {
  it("offers only email and password without OIDC settings", () => {
    Object.assign(process.env, base, { OIDC_ISSUER: "", OIDC_CLIENT_ID: "", OIDC_CLIENT_SECRET: "" });
    expect(buildAuthOptions().providers.map((p) => p.id)).toEqual(["credentials"]);
  });

  it("switches single sign-on on when issuer, client id and secret are set", () => {
    Object.assign(process.env, base, {
      OIDC_ISSUER: "https://sso.example.com/realms/ops/",
      OIDC_CLIENT_ID: "restore-console",
      OIDC_CLIENT_SECRET: "not-a-real-secret",
      OIDC_NAME: "Okta",
    });
    const providers = buildAuthOptions().providers;
    expect(providers.map((p) => p.id)).toEqual(["credentials", OIDC_PROVIDER_ID]);
    const oidc = providers[1] as unknown as { name: string; wellKnown: string; idToken: boolean; checks: string[] };
    expect(oidc).toMatchObject({
      name: "Okta",
      wellKnown: "https://sso.example.com/realms/ops/.well-known/openid-configuration",
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      authorization: { params: { scope: "openid email profile" } },
    });
  });

  it("asks for the configured scopes and refuses a start-up with a bad role map", () => {
    Object.assign(process.env, base, {
      OIDC_ISSUER: "https://sso.example.com",
      OIDC_CLIENT_ID: "x",
      OIDC_CLIENT_SECRET: "y",
      OIDC_SCOPES: "openid email profile groups",
    });
    expect(buildAuthOptions().providers[1]).toMatchObject({ authorization: { params: { scope: "openid email profile groups" } } });
    process.env.OIDC_ROLE_MAP = "sre=root";
    expect(() => buildAuthOptions()).toThrow(/OIDC_ROLE_MAP: "sre=root" is not value=role/);
    process.env.OIDC_ROLE_MAP = "";
    process.env.OIDC_SCOPES = "email profile";
    expect(() => buildAuthOptions()).toThrow(/OIDC_SCOPES: must include openid/);
  });

  it("needs all three OIDC settings", () => {
    Object.assign(process.env, base, { OIDC_ISSUER: "https://sso.example.com", OIDC_CLIENT_ID: "x", OIDC_CLIENT_SECRET: "" });
    expect(buildAuthOptions().providers).toHaveLength(1);
  });
});
