// Single sign-on against a real OpenID provider: oidc-provider (a certified implementation),
// started here on the loopback port the app's OIDC_* settings point at (playwright.config.ts).
// Its accounts live in this process, so a test can take a person out of a group between sign-ins.
import { generateKeyPairSync } from "node:crypto";
import type { Server } from "node:http";
import { expect, test, type Browser, type Page } from "@playwright/test";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";
import { BASE_URL, E2E_ADMIN, E2E_OIDC } from "../playwright.config";
import { signIn } from "./helpers";

interface IdpAccount {
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
}

const run = Date.now().toString(36);
/** The identity provider's people, by login (which is also their `sub`). */
const accounts = new Map<string, IdpAccount>();
let server: Server;

function startIdentityProvider(): Promise<Server> {
  // A fresh signing key for this run: the provider publishes it at its jwks_uri.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: `e2e-${run}`, alg: "RS256", use: "sig" };
  const provider = new Provider(E2E_OIDC.issuer, {
    clients: [
      {
        client_id: E2E_OIDC.clientId,
        client_secret: E2E_OIDC.clientSecret,
        redirect_uris: [`${BASE_URL}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [`e2e-idp-cookie-key-${run}`] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // The scope claims go into the ID token, which is where the app reads them.
    conformIdTokenClaims: false,
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account, groups: [...account.groups] }) };
    },
    // A first-party client: consent is implied (oidc-provider's documented recipe), so the only
    // page of the provider a person sees is its (development) login form.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, provider: op } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return op.Grant.find(grantId);
      const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope("openid email profile groups");
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
  });
  return new Promise((resolve, reject) => {
    const listening = provider.listen(E2E_OIDC.port, "127.0.0.1", () => resolve(listening));
    listening.once("error", reject);
  });
}

test.beforeAll(async () => {
  server = await startIdentityProvider();
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
});

/** A new browser, signed in (or refused) through the identity provider as `login`. */
async function signInWithSso(browser: Browser, login: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: `Continue with ${E2E_OIDC.name}` }).click();
  // oidc-provider's own login form, on its own origin.
  await expect(page).toHaveURL(new RegExp(`^${E2E_OIDC.issuer}/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password: the development form checks none");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.waitForURL((url) => url.origin === BASE_URL && !url.pathname.startsWith("/api/auth"));
  return page;
}

async function me(page: Page): Promise<{ status: number; role?: string; email?: string }> {
  const response = await page.request.get("/api/me");
  if (!response.ok()) return { status: response.status() };
  const body = (await response.json()) as { role: string; email: string };
  return { status: response.status(), role: body.role, email: body.email };
}

async function expectRefused(page: Page, reason: string, message: RegExp) {
  await expect(page).toHaveURL(new RegExp(`/signin\\?error=OidcRefused&reason=${reason}`));
  // The form's alert (Next's route announcer is an alert too, hence the filter).
  await expect(page.getByRole("alert").filter({ hasText: message })).toBeVisible();
  expect((await me(page)).status).toBe(401);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
}

interface AuditRow {
  actorEmail: string;
  action: string;
  outcome: string;
  payload: Record<string, unknown>;
}

/** The admin's view of refused SSO sign-ins for this subject (the audit API). */
async function refusalsFor(admin: Page, subject: string): Promise<AuditRow[]> {
  const response = await admin.request.get("/api/audit?action=auth.sign_in&outcome=denied&limit=200");
  expect(response.status()).toBe(200);
  const { events } = (await response.json()) as { events: AuditRow[] };
  return events.filter((e) => e.payload.subject === subject);
}

let admin: Page;
test.beforeEach(async ({ page }) => {
  await signIn(page);
  admin = page;
});

test("an unverified email is refused, with the reason on the sign-in page and in the audit log", async ({ browser }) => {
  const login = `unverified-${run}`;
  accounts.set(login, { email: `${login}@example.com`, email_verified: false, name: "Una Verified", groups: ["sre"] });
  const page = await signInWithSso(browser, login);
  await expectRefused(page, "email_unverified", /has not verified the email address/);
  const [refusal] = await refusalsFor(admin, login);
  expect(refusal).toMatchObject({ actorEmail: `${login}@example.com`, payload: { reason: "email_unverified", provider: "oidc" } });
  await page.context().close();
});

test("a takeover attempt: an IdP account claiming the password admin's email gets neither the account nor admin", async ({ browser }) => {
  const login = `mallory-${run}`;
  accounts.set(login, { email: E2E_ADMIN.email.toUpperCase(), email_verified: true, name: "Mallory", groups: ["sre-admins"] });
  const page = await signInWithSso(browser, login);
  await expectRefused(page, "email_in_use", /already exists and is not linked/);
  const [refusal] = await refusalsFor(admin, login);
  expect(refusal).toMatchObject({ actorEmail: E2E_ADMIN.email, payload: { reason: "email_in_use", groups: ["sre-admins"] } });
  // The real admin is untouched and no new person was made.
  expect(await me(admin)).toMatchObject({ status: 200, role: "admin", email: E2E_ADMIN.email });
  const people = (await (await admin.request.get("/api/users")).json()) as Array<{ email: string }>;
  expect(people.filter((p) => p.email === E2E_ADMIN.email)).toHaveLength(1);
  await page.context().close();
});

test("a group maps to a role, and a removed group demotes at the next sign-in, then refuses", async ({ browser }) => {
  const login = `ops-${run}`;
  accounts.set(login, { email: `${login}@example.com`, email_verified: true, name: "Olive Ops", groups: ["staff", "sre"] });
  const first = await signInWithSso(browser, login);
  await expect(first.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(await me(first)).toMatchObject({ status: 200, role: "operator", email: `${login}@example.com` });

  // Taken out of "sre" at the identity provider: the next sign-in makes them a viewer.
  accounts.set(login, { ...(accounts.get(login) as IdpAccount), groups: ["staff"] });
  const second = await signInWithSso(browser, login);
  expect(await me(second)).toMatchObject({ status: 200, role: "viewer" });
  // The earlier session no longer acts as an operator (ended, or read as viewer from the database).
  const earlier = await me(first);
  expect(earlier.status === 401 || earlier.role === "viewer", JSON.stringify(earlier)).toBe(true);

  // Out of every mapped group: refused, and audited with the groups it saw.
  accounts.set(login, { ...(accounts.get(login) as IdpAccount), groups: ["marketing"] });
  const third = await signInWithSso(browser, login);
  await expectRefused(third, "no_role", /not in any group that grants a role/);
  const [refusal] = await refusalsFor(admin, login);
  expect(refusal).toMatchObject({ payload: { reason: "no_role", groups: ["marketing"] } });
  for (const page of [first, second, third]) await page.context().close();
});

test("an email outside the allowed domains is refused", async ({ browser }) => {
  const login = `outsider-${run}`;
  accounts.set(login, { email: `${login}@example.org`, email_verified: true, name: "Out Sider", groups: ["sre-admins"] });
  const page = await signInWithSso(browser, login);
  await expectRefused(page, "domain_not_allowed", /email domain may not sign in/);
  await page.context().close();
});

test("an admin links an SSO identity to an existing password account; it then signs in as that person", async ({ browser }) => {
  const email = `grace-${run}@example.com`;
  const login = `grace-sso-${run}`;
  const created = await admin.request.post("/api/users", { data: { email, role: "viewer" }, headers: { origin: BASE_URL } });
  expect(created.status(), await created.text()).toBe(201);
  const { user } = (await created.json()) as { user: { id: string } };

  accounts.set(login, { email, email_verified: true, name: "Grace", groups: ["sre"] });
  const refused = await signInWithSso(browser, login);
  await expectRefused(refused, "email_in_use", /ask an admin to link/);
  await refused.context().close();

  const link = await admin.request.post(`/api/users/${user.id}/link-sso`, { data: { subject: login }, headers: { origin: BASE_URL } });
  expect(link.status(), await link.text()).toBe(201);
  const audit = (await (await admin.request.get("/api/audit?action=user.sso_link")).json()) as { events: AuditRow[] };
  expect(audit.events[0]).toMatchObject({ actorEmail: E2E_ADMIN.email, payload: { email, subject: login } });

  const page = await signInWithSso(browser, login);
  expect(await me(page)).toMatchObject({ status: 200, email, role: "operator" });
  await page.context().close();
});
