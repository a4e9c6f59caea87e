import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Signs in, opens a verified demo backup's restore form in new-database mode, reads the dump's
 * tables, chooses public.payments alone and shows the plan. Returns the backup's name.
 */
async function planPaymentsOnly(page: Page): Promise<string> {
  await signIn(page);
  await page.goto("/backups?manifest=present&verification=verified");
  const row = page.locator("tbody tr[data-backup-name$='.sql.gz']").first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  const backupName = (await row.getAttribute("data-backup-name")) ?? "";
  await row.getByRole("link", { name: backupName }).click();
  await page.getByRole("link", { name: "Restore this backup" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New logical restore" })).toBeVisible();
  await page.getByLabel("Restore target").selectOption("demo-production");

  // Swap mode offers no partial restore, and says why.
  const someTables = page.getByRole("button", { name: /Restore only some tables/ });
  await expect(someTables).toHaveCount(0);
  await expect(page.getByText(/a partial copy is never swapped over a target/)).toBeVisible();

  // New-database mode: the section is there, closed (the whole database is the default).
  await page.getByRole("radio", { name: /Restore into a new database/ }).check();
  await expect(someTables).toHaveAttribute("aria-expanded", "false");
  await someTables.click();
  await expect(someTables).toHaveAttribute("aria-expanded", "true");
  // Nothing chosen yet: the plan waits for a choice (or for the section to be closed).
  await expect(page.getByRole("button", { name: "Show the plan" })).toBeDisabled();

  // The dump's tables are read once (a job; "Reading the dump's tables…" meanwhile), then listed.
  const filter = page.getByLabel("Filter tables");
  await expect(filter).toBeVisible({ timeout: 90_000 });
  await expect(page.locator("li[data-table='public.loans']")).toBeVisible();
  await filter.fill("pay");
  await expect(page.locator("li[data-table]")).toHaveCount(1);
  const payments = page.locator("li[data-table='public.payments']");
  // To loans and to tenants.
  await expect(payments).toContainText("2 foreign keys");
  await expect(payments).toContainText(/\d+ indexes/);
  await payments.getByRole("checkbox").check();
  await expect(page.getByText("1 chosen")).toBeVisible();

  await page.getByRole("button", { name: "Show the plan" }).click();
  await expect(page.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toBeVisible({ timeout: 60_000 });
  const selection = page.getByTestId("selection-plan");
  await expect(selection.locator("[data-selection='tables']")).toContainText("public.payments");
  await expect(selection.locator("[data-selection='tables']")).not.toContainText("public.loans");
  await expect(selection.locator("[data-selection='indexes']")).toContainText("payments_loan_id_idx");
  // The foreign key to loans (not chosen) is reported and skipped, before anything runs.
  const skipped = selection.locator("[data-selection='skipped-foreign-keys']");
  await expect(skipped).toContainText("payments_loan_id_fkey");
  await expect(skipped).toContainText("public.loans");
  await expect(page.locator("[data-preflight='reachable']")).toHaveAttribute("data-status", "passed");
  return backupName;
}

test("a restore of chosen tables: read the dump's tables, choose payments, see what comes along and the skipped foreign key", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await planPaymentsOnly(page);

  // Changing the choice hides the plan until it is shown again for the new choice.
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(page.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Show the plan" })).toBeDisabled();
});

test("a restore of chosen tables runs into a new database holding only them", async ({ page }) => {
  test.setTimeout(300_000);
  const backupName = await planPaymentsOnly(page);

  const start = page.getByRole("button", { name: "Start restore" });
  await expect(start).toBeDisabled();
  await page.getByLabel(/Type the target database/).fill("loanserve");
  await start.click();

  // The run: restored into a new database, validated on the chosen table only, target untouched.
  await expect(page).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
  const finished = page.getByRole("status").filter({ hasText: "Restored into" });
  await expect(finished).toBeVisible({ timeout: 180_000 });
  await expect(finished).toContainText(/loanserve_restored_\d{12}/);
  await expect(finished).toContainText("was left alone");
  await expect(page.locator("[data-step='restore']:visible")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator("[data-step='restore']:visible")).toContainText("public.payments");
  await expect(page.locator("[data-step='validate']:visible")).toHaveAttribute("data-status", "succeeded");
  // Only payments among the critical tables was counted; the checks needing loans did not run.
  await expect(page.locator("tr[data-check='critical-table-rows']")).toContainText(/Row counts: payments [\d,]+\./);
  await expect(page.locator("tr[data-check='orphaned-payments']")).toHaveCount(0);

  const runUrl = page.url();

  // Row-level recovery of the demo's incident: since last night's dump, a bad migration deleted
  // most of tenant 4's payments and multiplied the amounts of the rest.
  const recovery = page.locator("#row-recovery");
  await recovery.getByRole("button", { name: "Compare with live" }).click();
  await expect(recovery.getByRole("checkbox", { name: /public\.payments/ })).toBeChecked({ timeout: 30_000 });
  await recovery.getByRole("button", { name: "Add a condition" }).click();
  await expect(recovery.getByLabel("Column")).toHaveValue("tenant_id");
  await recovery.getByLabel("Value").fill("4");
  await recovery.getByRole("button", { name: /^Compare\s+with live$/ }).click();
  const result = recovery.getByRole("article").first();
  await expect(result).toContainText("succeeded", { timeout: 60_000 });
  await expect(result).toContainText("public.payments · tenant_id = 4");
  const number = async (label: string) =>
    Number((await result.locator(`[data-table='public.payments'] [data-count='${label}'] dd`).textContent())?.replaceAll(",", ""));
  const missing = await number("missing from live");
  const changed = await number("changed");
  expect(missing).toBeGreaterThan(0);
  expect(changed).toBeGreaterThan(0);
  await result.getByText(/^Examples from/).click();
  await expect(result.getByText(/^amount: \d+\.\d{2} → \d+\.\d{2}$/).first()).toBeVisible();

  await result.getByRole("checkbox", { name: /changed rows? back/ }).check();
  await expect(
    result.getByRole("link", { name: `Download repair SQL (${(missing + changed).toLocaleString("en")} rows)` }),
  ).toHaveAttribute("href", /repair\.sql\?updates=1$/);
  await result.getByRole("button", { name: /Write [\d,]+ rows to live/ }).click();
  const dialog = page.getByRole("dialog");
  // The dry run (it only reads live) is asked for, then the count confirmed.
  await expect(dialog.getByTestId("dry-run")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Run the dry run" }).click();
  await expect(dialog.getByTestId("dry-run")).toContainText("live still matches the comparison", { timeout: 30_000 });
  const expected = `write ${(missing + changed).toLocaleString("en")} rows to loanserve`;
  const write = dialog.getByRole("button", { name: /^Write [\d,]+ rows$/ });
  await dialog.getByRole("textbox").fill("write them");
  await expect(write).toBeDisabled();
  await dialog.getByRole("textbox").fill(expected);
  await write.click();
  await expect(result.getByRole("status")).toContainText(`Wrote ${(missing + changed).toLocaleString("en")} rows to loanserve`);

  // Compared again, tenant 4's payments are as the backup had them.
  await recovery.getByRole("button", { name: "Compare with live" }).click();
  await recovery.getByRole("button", { name: "Add a condition" }).click();
  await recovery.getByLabel("Value").fill("4");
  await recovery.getByRole("button", { name: /^Compare\s+with live$/ }).click();
  await expect(recovery.getByRole("article").first()).toContainText("nothing to repair", { timeout: 60_000 });

  // The demo's incident carries both steps on its timeline.
  await page.goto("/incidents");
  await page.getByRole("link", { name: "Payments for tenant 4 deleted by a bad migration" }).first().click();
  await expect(page.getByText(/Compared tenant_id = 4 of the restored copy with live loanserve/).first()).toBeVisible();
  await expect(
    page.getByText(`Wrote ${(missing + changed).toLocaleString("en")} repaired rows (tenant_id = 4) from the backup to live loanserve`),
  ).toBeVisible();

  await page.goto(runUrl);
  await page.getByRole("navigation").first().getByRole("link", { name: "Restores" }).click();
  await expect(page.locator("tbody tr:visible").first()).toContainText(backupName);
});
