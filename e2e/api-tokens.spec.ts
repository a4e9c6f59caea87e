import { expect, request, test } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { signIn } from "./helpers";

test("an admin creates an API token on People; automation uses it without a browser, with its role, until it is revoked", async ({
  page,
}) => {
  await signIn(page);
  await page.goto("/people");
  const name = `ci-${Date.now()}`;
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByRole("button", { name: "Create token" }).click();
  const secret = dialog.getByLabel("API token");
  await expect(secret).toHaveText(/^rct_/);
  const token = (await secret.textContent()) ?? "";
  await dialog.getByRole("button", { name: "I have stored it" }).click();
  const row = page.locator(`tr[data-token='${name}']`);
  await expect(row).toContainText("active");
  await expect(row).toContainText("never");
  // The secret is not on the page any more.
  await expect(page.getByText(token)).toHaveCount(0);

  // A CI job: no cookie, no Origin, only the token.
  const ci = await request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  try {
    const health = await ci.get("/api/backups/health");
    expect(health.status(), await health.text()).toBe(200);
    // Prometheus scrapes with a viewer token.
    const metrics = await ci.get("/api/metrics");
    expect(metrics.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^restore_console_backup_age_seconds\{environment="demo",kind="newest"\} \d+/m);
    expect(text).toMatch(/^restore_console_workers_alive [1-9]/m);
    const restore = await ci.post("/api/restores/plan", { data: {} });
    expect(restore.status()).toBe(403);
    expect(((await restore.json()) as { error: { message: string } }).error.message).toMatch(
      /needs the operator role; you are signed in as viewer/,
    );

    await page.reload();
    await expect(row).not.toContainText("never");
    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("revoked");
    expect((await ci.get("/api/backups/health")).status()).toBe(401);
  } finally {
    await ci.dispose();
  }
});
