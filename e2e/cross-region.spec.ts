import { expect, test } from "@playwright/test";
import { SAME_ORIGIN, signIn } from "./helpers";

// A regional failure in the demo: the primary backup store stops answering (the demo's simulated
// outage), a restore reads the DR replica's exact copy, validates, is recorded as cross-region and
// measured against the cross-region objective.

interface ListedBackup {
  id: string;
  name: string;
  verificationState: string;
  replicas: Array<{ name: string; state: string }>;
}

test("with the primary store down, a restore from the DR replica finishes, validates and is measured as cross-region", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);

  // The replica has been listed: a verified backup it holds exactly.
  let copied: ListedBackup | undefined;
  await expect(async () => {
    const listed = (await (await page.request.get("/api/backups?environment=demo&verification=verified")).json()) as {
      backups: ListedBackup[];
    };
    copied = listed.backups.find((b) => b.name.endsWith(".sql.gz") && b.replicas.some((r) => r.state === "same"));
    expect(copied).toBeDefined();
  }).toPass({ timeout: 120_000 });
  const backup = copied as ListedBackup;

  await page.goto("/backups");
  await expect(page.locator("section#replicas li[data-replica]").first()).toBeVisible();

  // The outage, started from Settings as a person would.
  await page.goto("/settings");
  await page.getByRole("button", { name: /Simulate a primary region outage/ }).click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /Simulate|Stop the primary|Start/ })
    .click();
  await expect(page.getByRole("button", { name: /End the simulated outage/ })).toBeVisible({ timeout: 30_000 });

  try {
    await page.goto(`/restores/new?backup=${backup.id}`);
    await expect(page.getByRole("heading", { level: 1, name: "New logical restore" })).toBeVisible();
    await page.getByLabel("Restore target").selectOption("demo-production");
    await page.getByRole("radio", { name: /Restore into a new database/ }).check();
    // A name of its own: another spec's restore into a new database may fall in the same minute.
    await page.getByLabel("New database name (optional)").fill(`loanserve_xregion_${Date.now()}`);
    await page.getByRole("button", { name: "Show the plan" }).click();
    await expect(page.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toBeVisible({ timeout: 60_000 });
    const sourceCheck = page.locator("[data-preflight='source-store']");
    await expect(sourceCheck).toHaveAttribute("data-status", "warning");
    await expect(sourceCheck).toContainText("The primary store cannot serve");
    await expect(sourceCheck).toContainText("cross-region");
    await expect(page.getByText("Cross-region logical restore into a new database")).toBeVisible();

    await page.getByLabel(/Type the target database/).fill("loanserve");
    await page.getByRole("button", { name: "Start restore" }).click();
    await expect(page).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
    const runId = page.url().split("/").pop() ?? "";
    await expect(page.locator("[data-step='validate']:visible")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
    await expect(page.locator("tr[data-check='critical-table-rows']")).toContainText("pass");
    await expect(page.getByText("cross-region", { exact: true }).first()).toBeVisible();
    const detail = (await (await page.request.get(`/api/restores/${runId}`)).json()) as { run: { method: string } };
    expect(detail.run.method).toBe("crossRegion");

    // Overview: measured against the cross-region objective (60–180 min), not the logical one: on
    // its own, or on the open incidents of the environment it answered (it was started from none).
    await page.goto("/");
    const measured = page.locator("li[data-method='crossRegion']").first();
    await expect(measured).toBeVisible({ timeout: 60_000 });
    await expect(measured).toContainText("Cross-region restore");
    await expect(measured).toContainText("/ 3 h");
  } finally {
    const ended = await page.request.post("/api/demo/outage", { data: { down: false }, headers: SAME_ORIGIN });
    expect(ended.status(), await ended.text()).toBe(200);
  }
});
