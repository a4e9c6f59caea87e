import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("Overview shows the demo's alerts without an incident: the backup without a manifest, linking to it", async ({ page }) => {
  await signIn(page);
  await page.goto("/");
  const alerts = page.getByRole("list", { name: "Open alerts" });
  const missing = alerts.locator("li[data-alert='backup-manifest']");
  await expect(missing).toContainText(/has no usable manifest/);
  await expect(missing).toContainText("warning");
  await missing.getByRole("link").click();
  await expect(page).toHaveURL(/\/backups\/[0-9a-f-]{36}$/);

  const listed = await page.request.get("/api/alerts");
  expect(listed.status()).toBe(200);
  const open = (await listed.json()) as Array<{ rule: string; severity: string }>;
  expect(open.map((a) => a.rule)).toContain("backup-manifest");
});
