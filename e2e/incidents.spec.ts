import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";
import { createUserAs, signIn } from "./helpers";

const checkbox = (page: Page, item: string) => page.getByRole("checkbox", { name: item, exact: true });
const pageHeader = (page: Page) => page.locator("main header").first();

test("two people work one incident live, recover and close it, and export the review", async ({ page: admin, browser }) => {
  await signIn(admin);
  const operator = { email: `operator-${Date.now()}@example.com`, password: "operator-password-long", role: "operator" as const };
  await createUserAs(admin, operator);
  const operatorContext = await browser.newContext();
  const other = await operatorContext.newPage();
  await signIn(other, operator);

  // The operator watches the incident list while the admin declares.
  await other.goto("/incidents");
  await expect(other.getByRole("heading", { level: 1, name: "Incidents" })).toBeVisible();

  const title = `Loans deleted by a bad migration ${Date.now()}`;
  await admin.goto("/");
  await admin.getByRole("link", { name: "Declare incident" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Declare incident" })).toBeVisible();
  await admin.getByLabel("Title").fill(title);
  await admin.getByLabel("Environment").selectOption("demo");
  await admin.getByLabel("Scope of data loss").fill("Rows missing from loans and payments for tenant 42");
  await admin.getByRole("button", { name: "Declare incident" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(pageHeader(admin)).toContainText("open");
  await expect(admin.getByText("live", { exact: true })).toBeVisible();

  // It appears in the operator's list without a reload.
  const row = other.locator(`tr[data-incident-title="${title}"]`);
  await expect(row).toBeVisible();
  await row.getByRole("link", { name: title }).click();
  await expect(other.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(other.getByText("live", { exact: true })).toBeVisible();

  // Each ticks an item; each sees the other's tick without reloading.
  await checkbox(admin, "Assess scope of data loss").check();
  await expect(checkbox(other, "Assess scope of data loss")).toBeChecked();
  await expect(other.locator('[data-item="Assess scope of data loss"]')).toContainText(`ticked by ${E2E_ADMIN.email}`);

  await checkbox(other, "Notify stakeholders").check();
  await expect(checkbox(admin, "Notify stakeholders")).toBeChecked();
  await expect(admin.locator('[data-item="Notify stakeholders"]')).toContainText(`ticked by ${operator.email}`);

  // A tick with a note, from the keyboard.
  const item = other.locator('[data-item="Determine last known good timestamp"]');
  await item.getByText("Tick with a note…").click();
  await item.getByRole("textbox").fill("Last good at 03:10 UTC, before the migration");
  await item.getByRole("button", { name: "Tick with note" }).click();
  await expect(checkbox(admin, "Determine last known good timestamp")).toBeChecked();
  await expect(admin.locator('[data-item="Determine last known good timestamp"]')).toContainText("Last good at 03:10 UTC");

  // Undo is recorded too.
  await checkbox(admin, "Notify stakeholders").uncheck();
  await expect(checkbox(other, "Notify stakeholders")).not.toBeChecked();
  const timeline = other.getByRole("list", { name: "Timeline" });
  await expect(timeline).toContainText("Undid the tick on “Notify stakeholders”");
  await expect(timeline).toContainText("Ticked “Assess scope of data loss”");

  // The operator starts a restore from the incident (into a new database, leaving the target alone);
  // the items the system did tick themselves, for both people, with a link to the run.
  await other.getByRole("link", { name: "Restore a backup" }).click();
  await expect(other.getByRole("heading", { level: 1, name: "New logical restore" })).toBeVisible();
  await expect(other.getByText(`for the incident “${title}”`)).toBeVisible();
  const backup = other.locator("tbody tr[data-backup-name$='.sql.gz']").first();
  const backupName = (await backup.getAttribute("data-backup-name")) ?? "";
  await backup.getByRole("link", { name: `Restore ${backupName}` }).click();
  await other.getByLabel("Restore target").selectOption("demo-production");
  await other.getByLabel("Restore into a new database and leave the target alone").check();
  await other.getByRole("button", { name: "Show the plan" }).click();
  await other.getByLabel(/Type the target database/).fill("loanserve");
  await other.getByRole("button", { name: "Start restore" }).click();
  await expect(other.getByText(/Restored into/)).toBeVisible({ timeout: 120_000 });
  const runUrl = new URL(other.url()).pathname;
  await other.goto(admin.url());
  for (const person of [admin, other]) {
    for (const text of ["Initiate PITR or logical restore", "Monitor restore progress", "Validate critical data integrity"]) {
      await expect(checkbox(person, text)).toBeChecked();
      await expect(person.locator(`[data-item="${text}"]`).getByRole("link").first()).toHaveAttribute("href", runUrl);
    }
  }

  // The immediate-actions phase counts down from the incident start.
  await expect(admin.locator('[data-phase="immediate"]').getByRole("timer")).toHaveText(/\d:\d\d left/);

  // Recovered and closed, each confirmed in a dialog that says what changes; focus then goes to the
  // new status, and the other person sees each status change live.
  await admin.getByRole("button", { name: "Start recovery" }).click();
  const startRecovery = admin.getByRole("dialog", { name: "Start recovery?" });
  await expect(startRecovery).toContainText("their deadlines count from the incident start");
  await startRecovery.getByRole("button", { name: "Start recovery" }).click();
  await expect(startRecovery).toBeHidden();
  await expect(admin.getByTestId("incident-status-changed")).toBeFocused();
  await expect(admin.getByTestId("incident-status-changed")).toHaveText("The incident is now recovering.");
  await expect(pageHeader(other)).toContainText("recovering");
  await admin.getByRole("button", { name: "Mark recovered" }).click();
  const markRecovered = admin.getByRole("dialog", { name: "Mark the data as recovered?" });
  await expect(markRecovered).toContainText("The RTO under Recovery objectives does not change");
  await markRecovered.getByRole("button", { name: "Mark recovered" }).click();
  await expect(markRecovered).toBeHidden();
  await expect(pageHeader(other)).toContainText("recovered");
  await admin.getByRole("button", { name: "Close incident" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Close incident" }).click();
  await expect(admin.getByTestId("incident-status-changed")).toBeFocused();
  await expect(pageHeader(admin)).toContainText("closed");
  await expect(pageHeader(other)).toContainText("closed");
  await expect(checkbox(other, "Assess scope of data loss")).toBeDisabled();

  // The review: written by the operator, exported as Markdown by the admin.
  await other.getByRole("link", { name: "Review", exact: true }).click();
  await expect(other.getByRole("heading", { level: 1, name: `Review: ${title}` })).toBeVisible();
  await other.getByLabel("What went well").fill("The nightly dump was verified and ready.");
  await other.getByLabel("What did not go well").fill("Nobody knew the last known good time at first.");
  await other.getByLabel("Lessons learned").fill("Record migration times in the deploy log.");
  await other.getByRole("button", { name: "Add follow-up action" }).click();
  await other.getByLabel("Action 1", { exact: true }).fill("Alert on DELETE spikes on loans");
  await other.getByLabel("Owner").fill("dba-team@example.com");
  await other.getByRole("button", { name: "Save review" }).click();
  await expect(other.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  await admin.goto(other.url());
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export Markdown" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^incident-\d{4}-\d{2}-\d{2}-loans-deleted-by-a-bad-migration.*\.md$/);
  const markdown = await readFile(await download.path(), "utf8");
  expect(markdown).toContain(`# Post-incident review: ${title}`);
  expect(markdown).toContain("## Recovery objectives (RTO/RPO)");
  // Measured from the restore started from the incident, against the logical objectives.
  expect(markdown).toContain("Method: Logical restore");
  expect(markdown).toMatch(/\| RTO \| incident start .* \| validated restore .* \| 30 min–2 h \| met \|/);
  expect(markdown).toMatch(/\| RPO \| incident start .* \| restore point .* \| at most 1 d \| met \|/);
  expect(markdown).toContain("## Timeline");
  expect(markdown).toContain(`| ${E2E_ADMIN.email} | Declared SEV1 incident in demo: ${title} |`);
  expect(markdown).toContain(`| ${operator.email} | Ticked “Notify stakeholders” |`);
  expect(markdown).toContain("Status changed from recovered to closed");
  expect(markdown).toContain("The nightly dump was verified and ready.");
  expect(markdown).toContain("| Alert on DELETE spikes on loans | dba-team@example.com |");

  await operatorContext.close();
});
