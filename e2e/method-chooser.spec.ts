import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// The method chooser: a few answers, the runbook's method with its reasons, and a link that starts it.

/** The page's path and query are exactly `path`. */
const at = (path: string) => (url: URL) => `${url.pathname}${url.search}` === path;
const chooserOf = (page: Page) => page.locator("section", { has: page.getByRole("heading", { name: "Choose the restore method" }) });

test("declaring an incident offers the method: PITR inside the window, a logical restore before it, and the link to the picker", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  // The demo's archive reaches a moment once its first base backup and WAL are in.
  await expect
    .poll(
      async () => {
        const response = await page.request.get("/api/pitr/window?environment=demo");
        return response.ok() ? ((await response.json()) as { window: { latest: string | null } }).window.latest : null;
      },
      { timeout: 120_000, intervals: [2_000] },
    )
    .not.toBeNull();

  const title = `Loans overwritten by a bad deploy ${Date.now()}`;
  await page.goto("/incidents/new");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Environment").selectOption("demo");
  await page.getByLabel("Scope of data loss").fill("Every tenant's loans");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const incidentId = new URL(page.url()).pathname.split("/").at(-1) ?? "";

  const chooser = chooserOf(page);
  const status = chooser.getByRole("status");
  await expect(status).toContainText("Answer what needs recovering");
  await expect(chooser.getByRole("link")).toHaveCount(0);

  // The page may hold a window described a moment ago, before the archive reached one: read it again.
  await expect(async () => {
    await page.reload();
    await chooser.getByRole("radio", { name: /^The whole database must go back to a moment/ }).check();
    await expect(status).toContainText("Point-in-time recovery", { timeout: 2_000 });
  }).toPass({ timeout: 90_000 });

  // No last known good time yet: the moment is not known, and the advice says to check it.
  await expect(chooser.getByRole("radio", { name: "Not known yet", exact: true })).toBeChecked();
  const why = chooser.getByRole("list", { name: "Why" });
  await expect(why).toContainText("Runbook §1 When to use: data corruption or accidental deletion within the retention window");
  await expect(why).toContainText("Check on the PITR page that the moment you want is inside it.");
  await expect(chooser.getByTestId("method-advice")).toContainText("RTO 15–45 min · RPO 5 min");
  await expect(chooser.getByRole("link", { name: "Logical restore", exact: true })).toBeVisible();

  // A moment before the window: PITR cannot reach it.
  await chooser.getByRole("radio", { name: /^Before the PITR window/ }).check();
  await expect(status).toContainText("Logical restore");
  await expect(why).toContainText("Runbook §2 When to use: point-in-time recovery not available.");
  await expect(chooser.getByRole("link", { name: "Start a logical restore" })).toHaveAttribute(
    "href",
    `/restores/new?method=logical&environment=demo&incident=${incidentId}`,
  );

  // From the keyboard: the arrow keys move through the answers.
  await chooser.getByRole("radio", { name: /^Inside the PITR window/ }).check();
  await expect(status).toContainText("Point-in-time recovery");
  await chooser.getByRole("radio", { name: /^The whole database/ }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(chooser.getByRole("radio", { name: "Some tables or rows are damaged", exact: true })).toBeChecked();
  await expect(status).toContainText("Logical restore of chosen tables");
  await expect(why).toContainText("Runbook §2 When to use: selective table restore.");
  await page.keyboard.press("ArrowUp");
  await expect(status).toContainText("Point-in-time recovery");

  // The link opens the PITR picker for the incident's environment, the incident kept.
  await chooser.getByRole("link", { name: "Start point-in-time recovery" }).click();
  await expect(page).toHaveURL(at(`/restores/pitr?environment=demo&incident=${incidentId}`));
  await expect(page.getByRole("heading", { level: 1, name: "Point-in-time recovery" })).toBeVisible();
  await expect(page.getByRole("link", { name: "The incident" })).toHaveAttribute("href", `/incidents/${incidentId}`);
});

test("Restores → New offers the method first: a lost region, a DR copy, then chosen tables through the backup list, on a phone", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 900 });
  await signIn(page);
  await page.goto("/restores/new");
  await expect(page.getByRole("heading", { level: 1, name: "New logical restore" })).toBeVisible();
  // The backups stay one click away below the chooser.
  await expect(page.locator("tbody tr[data-backup-name]").first()).toBeVisible();

  const chooser = chooserOf(page);
  const status = chooser.getByRole("status");
  const advice = chooser.getByTestId("method-advice");

  await chooser.getByRole("radio", { name: "The region is lost", exact: true }).check();
  await expect(status).toContainText("Logical restore");
  await expect(advice).toContainText("Runbook §2 When to use: cross-region restore.");
  await expect(advice).toContainText("Cross-region restore objectives: RTO 1 h–3 h · RPO 1 d");
  // The problem says where the data goes: no target question.
  await expect(chooser.getByRole("group", { name: "Where should the restored data go?" })).toHaveCount(0);

  await chooser.getByRole("radio", { name: "I need a copy for a DR or development environment", exact: true }).check();
  await expect(advice).toContainText("Runbook §2 When to use: restore to a development or DR environment.");
  await expect(advice).toContainText("Logical restore objectives: RTO 30 min–2 h · RPO 1 d");

  await chooser.getByRole("radio", { name: "Some tables or rows are damaged", exact: true }).check();
  await chooser.getByRole("radio", { name: "A DR or development environment", exact: true }).check();
  await expect(status).toContainText("Logical restore of chosen tables");
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);

  // Chosen tables start from the backup list, with the steps that pick them on the plan.
  await chooser.getByRole("link", { name: "Restore chosen tables" }).click();
  await expect(page).toHaveURL(at("/restores/new?method=logical-selective&environment=demo"));
  await expect(chooserOf(page)).toHaveCount(0);
  await expect(page.getByText(/then “Restore only some tables”/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Choose the method again" })).toHaveAttribute("href", "/restores/new?environment=demo");
  const backup = page.locator("tbody tr[data-backup-name$='.sql.gz']").first();
  const backupName = (await backup.getAttribute("data-backup-name")) ?? "";
  await backup.getByRole("link", { name: `Restore ${backupName}` }).click();
  await expect(page.getByRole("radio", { name: /Restore into a new database/ })).toBeVisible();
});
