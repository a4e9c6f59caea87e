import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a logical restore of the demo: plan, confirm, live progress, validation, swap and rollback", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.goto("/backups?manifest=present&verification=verified");
  const row = page.locator("tbody tr[data-backup-name$='.sql.gz']").first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  const backupName = (await row.getAttribute("data-backup-name")) ?? "";
  await row.getByRole("link", { name: backupName }).click();
  await page.getByRole("link", { name: "Restore this backup" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New logical restore" })).toBeVisible();

  // The plan and preflight come before anything runs.
  await page.getByLabel("Restore target").selectOption("demo-production");
  await page.getByRole("button", { name: "Show the plan" }).click();
  await expect(page.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toBeVisible();
  await expect(page.locator("[data-preflight='reachable']")).toHaveAttribute("data-status", "passed");
  const start = page.getByRole("button", { name: "Start restore" });
  await expect(start).toBeDisabled();
  await page.getByLabel(/Type the target database/).fill("loanserve");
  await start.click();

  // Live run page: progress, then validation, then it waits for the swap confirmation.
  await expect(page).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
  await expect(page.getByText("waiting for swap confirmation")).toBeVisible({ timeout: 120_000 });
  await expect(page.locator("[data-step='restore']:visible")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator("[data-step='validate']:visible")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator("tr[data-check='orphaned-payments']")).toContainText("pass");
  await expect(page.locator("tr[data-check='critical-table-rows']")).toContainText("pass");

  const swap = page.getByRole("button", { name: "Swap databases" });
  await expect(swap).toBeDisabled();
  await page.getByLabel(/to confirm/).fill(`${backupName} -> loanserve`);
  await swap.click();
  await expect(page.getByText(/now holds the restored data/)).toBeVisible({ timeout: 60_000 });
  await expect(page.locator("[data-step='swap']:visible")).toHaveAttribute("data-status", "succeeded");

  // One-click rollback (behind a confirmation).
  await page.getByRole("button", { name: "Roll back" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
  await expect(page.getByText("rolled back", { exact: true }).first()).toBeVisible({ timeout: 60_000 });

  // The Restores page lists the run.
  await page.getByRole("navigation").first().getByRole("link", { name: "Restores" }).click();
  await expect(page.locator("tbody tr:visible").first()).toContainText(backupName);
});
