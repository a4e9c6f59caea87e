import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/** Server-rendered lists show background work after a reload. */
async function reloadUntil(page: Page, check: () => Promise<boolean>, timeout = 90_000) {
  await expect
    .poll(
      async () => {
        if (await check()) return true;
        await page.reload();
        return check();
      },
      { timeout, intervals: [1000, 2000, 3000] },
    )
    .toBe(true);
}

test("the demo's backups: flagged problems, and a verification watched to the end", async ({ page }) => {
  await signIn(page);
  await page.getByRole("navigation").first().getByRole("link", { name: "Backups" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Backups" })).toBeVisible();

  // The first visit reads the catalog; new backups are then verified automatically.
  const rows = page.locator("tbody tr[data-backup-name]");
  await reloadUntil(page, async () => (await rows.count()) === 7);
  await reloadUntil(page, async () => (await page.locator("tbody tr:visible", { hasText: "checksum mismatch" }).count()) === 1);
  await expect(page.locator("tbody tr:visible", { hasText: "no manifest" })).toHaveCount(1);
  await expect(page.locator("tbody tr:visible", { hasText: "no manifest" })).toContainText("unverifiable");
  // Fresh, yet not green: the week's backups include the mismatched one and the one without a manifest.
  await expect(page.locator("[data-freshness]")).toHaveAttribute("data-freshness", "amber");
  await expect(page.locator("[data-freshness]")).toContainText("Fresh, but 2 recent backups are broken");
  await expect(page.locator("[data-freshness]")).toContainText("1 failed its checksum, 1 has no usable manifest");

  // Verify the newest backup again from its detail page and watch the progress bar finish.
  const newest = rows.first();
  const name = (await newest.getAttribute("data-backup-name")) ?? "";
  await newest.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await page.getByRole("button", { name: `Verify ${name}` }).click();
  const progress = page.getByTestId("verification-progress");
  await expect(progress).toBeVisible();
  await expect(progress.getByRole("progressbar")).toBeVisible();
  await expect(progress).toContainText("verified", { timeout: 60_000 });
  await expect(progress).toContainText("100%");
  await expect(page.getByRole("link", { name: "Restore this backup" })).toBeVisible();

  // The mismatched backup says why it is not restorable.
  await page.goto("/backups?verification=mismatch");
  await page.locator("tbody tr[data-backup-name]").first().getByRole("link").click();
  await expect(page.getByText("Not restorable")).toBeVisible();
  await expect(page.getByText(/Its checksum does not match the manifest/)).toBeVisible();
});
