import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("Overview ranks what needs attention, with the demo's alerts among it: the backup without a manifest, linking to it", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page);
  // The workers evaluate the rules every minute; a fresh start may not have yet.
  const rules = async () => ((await (await page.request.get("/api/alerts")).json()) as Array<{ rule: string }>).map((a) => a.rule);
  await expect.poll(rules, { timeout: 150_000, intervals: [2_000] }).toContain("backup-manifest");

  await page.goto("/");
  const attention = page.getByRole("list", { name: "Needs attention" });
  // Critical first (the demo's checksum mismatch), then the open incident, then warnings.
  await expect(attention.locator("li").first()).toContainText("critical");
  await expect(attention.locator("li").first()).toContainText("checksum mismatch");
  await expect(
    attention.locator("li", { hasText: "Payments for tenant 4" }).getByRole("link", { name: "Open the incident" }),
  ).toBeVisible();
  const missing = attention.locator("li[data-alert='backup-manifest']");
  await expect(missing).toContainText(/has no usable manifest/);
  await expect(missing).toContainText("warning");
  await missing.getByRole("link", { name: "See the backup" }).click();
  await expect(page).toHaveURL(/\/backups\/[0-9a-f-]{36}$/);
});
