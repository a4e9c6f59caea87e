import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("Overview shows the demo's alerts without an incident: the backup without a manifest, linking to it", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  // The workers evaluate the rules every minute; a fresh start may not have yet.
  const rules = async () => ((await (await page.request.get("/api/alerts")).json()) as Array<{ rule: string }>).map((a) => a.rule);
  await expect.poll(rules, { timeout: 150_000, intervals: [2_000] }).toContain("backup-manifest");

  await page.goto("/");
  const missing = page.getByRole("list", { name: "Open alerts" }).locator("li[data-alert='backup-manifest']");
  await expect(missing).toContainText(/has no usable manifest/);
  await expect(missing).toContainText("warning");
  await missing.getByRole("link").click();
  await expect(page).toHaveURL(/\/backups\/[0-9a-f-]{36}$/);
});
