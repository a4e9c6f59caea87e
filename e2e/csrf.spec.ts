import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { BASE_URL, E2E_ADMIN } from "../playwright.config";
import { SAME_ORIGIN, signIn } from "./helpers";

// Cross-site request forgery, tried for real: while the victim is signed in, a page served by
// another port of 127.0.0.1 (same SITE as the app, so the SameSite=Lax session cookie IS sent)
// fires every mutating request an attacker would want, the ways a browser allows without a
// CORS preflight: form posts (text/plain JSON trick, and empty url-encoded ones) and no-cors
// fetches with `text/plain` and `text/plain; application/json`. Each must change nothing and
// be audited as a refusal in the victim's name.

interface AuditRow {
  actorEmail: string;
  action: string;
  outcome: string;
  payload: { method?: string; path?: string; origin?: string | null };
}

interface Attack {
  path: string;
  body: Record<string, unknown>;
  /** The app itself sends this one without a body: try that too. */
  bodyless?: boolean;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The attacker's page. A text/plain form posts `name=value`: with the JSON cut before its last
 * string, `{"…","pad":"` + `=` + `"}` is a JSON body. Each form has its own frame, so
 * submissions do not cancel each other.
 */
function attackerPage(attacks: Attack[]): string {
  const forms = attacks
    .map((attack, i) => {
      const json = JSON.stringify({ ...attack.body, pad: "" });
      const name = json.slice(0, -2);
      const url = `${BASE_URL}${attack.path}`;
      const textForm = `<iframe name="t${i}"></iframe><form method="post" enctype="text/plain" action="${escapeHtml(url)}" target="t${i}"><input type="hidden" name="${escapeHtml(name)}" value='"}'></form>`;
      const emptyForm = attack.bodyless
        ? `<iframe name="e${i}"></iframe><form method="post" action="${escapeHtml(url)}" target="e${i}"></form>`
        : "";
      return textForm + emptyForm;
    })
    .join("\n");
  const script = `
    const attacks = ${JSON.stringify(attacks.map((a) => ({ url: `${BASE_URL}${a.path}`, body: JSON.stringify(a.body), bodyless: a.bodyless === true })))};
    (async () => {
      for (const attack of attacks) {
        for (const type of ["text/plain", "text/plain; application/json"]) {
          await fetch(attack.url, { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": type }, body: attack.body }).catch(() => undefined);
        }
        if (attack.bodyless) await fetch(attack.url, { method: "POST", mode: "no-cors", credentials: "include" }).catch(() => undefined);
      }
      for (const form of document.querySelectorAll("form")) form.submit();
      window.fired = true;
    })();`;
  return `<!doctype html><html><head><title>Win a prize</title></head><body><h1>Congratulations</h1>${forms}<script>${script}</script></body></html>`;
}

/** How many requests an attack page fires: two fetches and one form each, plus a body-less fetch and form where the app posts without a body. */
const requestsOf = (attacks: Attack[]) => attacks.reduce((n, a) => n + 3 + (a.bodyless ? 2 : 0), 0);

async function startAttacker(): Promise<{ server: Server; origin: string; serve: (html: string) => void }> {
  let html = "<!doctype html><p>nothing yet</p>";
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, serve: (next) => (html = next) };
}

async function json<T>(request: APIRequestContext, path: string): Promise<T> {
  const response = await request.get(path);
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

async function post(request: APIRequestContext, path: string, data: Record<string, unknown>, status = 200): Promise<unknown> {
  const response = await request.post(path, { data, headers: SAME_ORIGIN });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(status);
  return response.json();
}

const refusals = async (request: APIRequestContext) =>
  (await json<{ events: AuditRow[] }>(request, `/api/audit?action=api.csrf_refused&actor=${encodeURIComponent(E2E_ADMIN.email)}&limit=200`))
    .events;

interface RunView {
  id: string;
  status: string;
  swapConfirmedAt: string | null;
  rolledBackAt: string | null;
  previousDatabase: string | null;
}
const runOf = async (request: APIRequestContext, runId: string) => (await json<{ run: RunView }>(request, `/api/restores/${runId}`)).run;

async function waitForStatus(request: APIRequestContext, runId: string, status: string): Promise<void> {
  await expect.poll(async () => (await runOf(request, runId)).status, { timeout: 150_000, intervals: [1_000] }).toBe(status);
}

/** Opens the attacker's page in the victim's browser, waits until it has fired, and until every request has been refused and audited. */
async function attack(victim: Page, attacker: Awaited<ReturnType<typeof startAttacker>>, attacks: Attack[]): Promise<AuditRow[]> {
  const before = (await refusals(victim.request)).length;
  attacker.serve(attackerPage(attacks));
  const page = await victim.context().newPage();
  await page.goto(attacker.origin);
  await page.waitForFunction(() => (window as unknown as { fired?: boolean }).fired === true);
  const expected = requestsOf(attacks);
  await expect.poll(async () => (await refusals(victim.request)).length - before, { timeout: 30_000 }).toBe(expected);
  await page.close();
  const fresh = (await refusals(victim.request)).slice(0, expected);
  for (const row of fresh) {
    expect(row).toMatchObject({ actorEmail: E2E_ADMIN.email, outcome: "denied", payload: { method: "POST", origin: attacker.origin } });
  }
  expect(new Set(fresh.map((row) => row.payload.path))).toEqual(new Set(attacks.map((a) => a.path)));
  return fresh;
}

test("a page on another port cannot start, swap, roll back, clean up, declare or tick anything in the victim's name", async ({ page }) => {
  test.setTimeout(360_000);
  const attacker = await startAttacker();
  try {
    await signIn(page);
    const api = page.request;

    // The victim's real work: a logical restore waiting for its swap, and an incident.
    const { backups } = await json<{ backups: Array<{ id: string; name: string }> }>(
      api,
      "/api/backups?manifest=present&verification=verified&pageSize=50",
    );
    const backup = backups.find((b) => b.name.endsWith(".sql.gz"));
    expect(backup, "a verified demo backup").toBeDefined();
    const { id: runId } = (await post(
      api,
      "/api/restores",
      { backupId: backup?.id, targetName: "demo-production", mode: "swap", confirmation: "loanserve" },
      201,
    )) as { id: string };
    const { id: incidentId } = (await post(
      api,
      "/api/incidents",
      { title: `CSRF target ${Date.now()}`, severity: "sev3", environment: "demo", scope: "nothing real" },
      201,
    )) as { id: string };
    const itemOf = async () =>
      (
        await json<{ phases: Array<{ items: Array<{ id: string; checkedAt: string | null; version: number }> }> }>(
          api,
          `/api/incidents/${incidentId}`,
        )
      ).phases[0]?.items[0];
    const item = await itemOf();
    expect(item?.checkedAt).toBeNull();
    await waitForStatus(api, runId, "awaiting-swap");
    const swapConfirmation = `${backup?.name} -> loanserve`;

    // 1. Start a logical restore, start a PITR to "latest", declare an incident, swap, tick an item.
    const totals = async () => ({
      runs: (await json<{ total: number }>(api, "/api/restores")).total,
      incidents: (await json<{ total: number }>(api, "/api/incidents")).total,
    });
    const before = await totals();
    await attack(page, attacker, [
      {
        path: "/api/restores",
        body: { backupId: backup?.id, targetName: "demo-production", mode: "new-database", confirmation: "loanserve" },
      },
      { path: "/api/pitr/restores", body: { environment: "demo", target: { kind: "latest" }, confirmation: "demo" } },
      { path: "/api/incidents", body: { title: "Pwned", severity: "sev1", environment: "demo", scope: "everything" } },
      { path: `/api/restores/${runId}/swap`, body: { confirmation: swapConfirmation, terminateSessions: true } },
      { path: `/api/incidents/${incidentId}/items/${item?.id}/check`, body: { note: "ticked by an attacker" }, bodyless: true },
    ]);
    expect(await totals()).toEqual(before);
    expect(await runOf(api, runId)).toMatchObject({ status: "awaiting-swap", swapConfirmedAt: null });
    expect(await itemOf()).toMatchObject({ checkedAt: null, version: item?.version });

    // 2. The victim swaps for real; then the attacker tries to roll back and to drop the kept database.
    await post(api, `/api/restores/${runId}/swap`, { confirmation: swapConfirmation, terminateSessions: true });
    await waitForStatus(api, runId, "succeeded");
    const swapped = await runOf(api, runId);
    expect(swapped.previousDatabase).not.toBeNull();
    await attack(page, attacker, [
      { path: `/api/restores/${runId}/rollback`, body: { terminateSessions: true }, bodyless: true },
      { path: `/api/restores/${runId}/cleanup`, body: {}, bodyless: true },
    ]);
    expect(await runOf(api, runId)).toMatchObject({ status: "succeeded", rolledBackAt: null, previousDatabase: swapped.previousDatabase });
    expect(await totals()).toEqual(before);

    // The app's own pages still work: the victim rolls back from the run page.
    await page.goto(`/restores/${runId}`);
    await page.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await expect(page.getByText("rolled back", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  } finally {
    await new Promise((resolve) => attacker.server.close(resolve));
  }
});

test("every page renders and hydrates under a nonce-based CSP, with the security headers, and nothing is blocked", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`),
    );
  });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (
      message.type() === "error" &&
      /Content Security Policy|Refused to|hydrat|Minified React error #4(18|19|23|25)/i.test(message.text())
    )
      problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));

  // Headers on a page: a fresh nonce each time, scripts only by nonce, no framing.
  const first = await page.goto("/signin");
  const second = await page.goto("/signin");
  const csp = first?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"])
    expect(csp).toContain(directive);
  expect(csp).not.toContain("unsafe-eval");
  expect(second?.headers()["content-security-policy"]).not.toBe(csp);
  expect(first?.headers()).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "same-origin" });
  expect(first?.headers()["strict-transport-security"]).toBeUndefined();
  // API responses: nosniff too; HSTS only when a TLS proxy says the browser came over https.
  const health = await page.request.get("/api/health");
  expect(health.headers()["x-content-type-options"]).toBe("nosniff");
  const overHttps = await page.request.get("/signin", { headers: { "x-forwarded-proto": "https" } });
  expect(overHttps.headers()["strict-transport-security"]).toMatch(/max-age=\d+/);
  // The nonce is on Next's scripts; the inline theme script ran (it sets the theme class first).
  const dark = await browser.newContext({ colorScheme: "dark" });
  const darkPage = await dark.newPage();
  await darkPage.goto("/signin");
  await expect(darkPage.locator("html")).toHaveClass(/\bdark\b/);
  await dark.close();

  // Signing in needs hydration: the button stays disabled until React has taken over.
  await signIn(page);
  const declared = await page.request.post("/api/incidents", {
    data: { title: `CSP tour ${Date.now()}`, severity: "sev4", environment: "demo", scope: "a drill" },
    headers: SAME_ORIGIN,
  });
  expect(declared.status(), await declared.text()).toBe(201);
  const incident = (await declared.json()) as { id: string };
  const backups = (await (await page.request.get("/api/backups")).json()) as { backups: Array<{ id: string }> };
  const runs = (await (await page.request.get("/api/restores")).json()) as { runs: Array<{ id: string }> };
  const paths = [
    "/",
    "/backups",
    ...(backups.backups[0] ? [`/backups/${backups.backups[0].id}`, `/restores/new?backup=${backups.backups[0].id}`] : []),
    "/restores",
    ...(runs.runs[0] ? [`/restores/${runs.runs[0].id}`] : []),
    "/restores/pitr",
    "/incidents",
    "/incidents/new",
    `/incidents/${incident.id}`,
    `/incidents/${incident.id}/review`,
    "/incidents/templates",
    "/audit",
    "/settings",
    "/people",
  ];
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(400);
    expect(response?.headers()["content-security-policy"], path).toContain("'strict-dynamic'");
    await expect(page.getByRole("heading", { level: 1 }).first(), path).toBeVisible();
    // Hydrated: a client-side navigation keeps this window (a full reload would drop the mark).
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await page.getByRole("navigation").first().getByRole("link", { name: "Audit" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere === true), `${path} hydrated`).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), path).toEqual([]);
  }
  expect(problems).toEqual([]);
});
