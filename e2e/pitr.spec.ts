import { expect, test } from "@playwright/test";
import { SAME_ORIGIN, signIn } from "./helpers";

// A viewer in New York: every time must show in their zone AND in UTC, and DST traps are refused.
test.use({ timezoneId: "America/New_York" });

test("point-in-time recovery of the demo from an incident: window, a time picked on the timeline, plan, live run, validation and endpoint", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  const declared = await page.request.post("/api/incidents", {
    data: {
      title: `Payments overwritten ${Date.now()}`,
      severity: "sev2",
      environment: "demo",
      scope: "payments of every tenant",
      startedAt: new Date().toISOString(),
    },
    headers: SAME_ORIGIN,
  });
  expect(declared.status(), await declared.text()).toBe(201);
  const { id: incidentId } = (await declared.json()) as { id: string };

  await page.goto(`/incidents/${incidentId}`);
  await page.getByRole("link", { name: "Restore to a point in time" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Point-in-time recovery" })).toBeVisible();

  // The window: a restorable bar, its ends in both zones, the incident on the timeline.
  const range = page.getByTestId("restorable-range");
  await expect(range).toBeVisible({ timeout: 60_000 });
  for (const end of ["window-earliest", "window-latest"]) {
    await expect(page.getByTestId(end)).toContainText("America/New_York");
    await expect(page.getByTestId(end)).toContainText("UTC");
  }
  await expect(page.getByRole("list", { name: "Timeline legend" })).toContainText("incident started");

  // Refused in the page: a New York time that never happened, then a time outside the window.
  await page.getByRole("radio", { name: /A time of my choosing/ }).check();
  const time = page.getByLabel(/^Restore to/);
  await time.fill("2026-03-08 02:30");
  await expect(page.getByText(/never happened: the clocks jumped forward/)).toBeVisible();
  const review = page.getByRole("button", { name: "Review the plan" });
  await expect(review).toBeDisabled();
  await page.getByLabel("Time zone of restore to").selectOption("UTC");
  await time.fill("2000-01-01 00:00");
  await expect(page.getByText(/is before the earliest restorable time/)).toBeVisible();
  await expect(review).toBeDisabled();

  // Picked on the timeline: shown in both zones, with the data loss up to the incident's start.
  await range.click();
  await expect(page.getByTestId("timeline-selection")).toBeVisible();
  const choice = page.getByTestId("pitr-choice");
  await expect(choice).toContainText("UTC");
  await expect(choice).toContainText("America/New_York");
  await expect(page.getByTestId("pitr-data-loss")).toContainText("the incident's start");
  await page.screenshot({ path: "test-results/pitr-picker.png", fullPage: true });

  await review.click();
  await expect(page.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator("[data-preflight='window']")).toHaveAttribute("data-status", "passed");
  const start = page.getByRole("button", { name: "Start point-in-time restore" });
  await expect(start).toBeDisabled();
  await page.getByLabel(/Type the environment's name/).fill("demo");
  await start.click();

  // The run page, live: every step, validation, the endpoint and the cutover checklist.
  await expect(page).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status", { name: "Ready for cutover" })).toBeVisible({ timeout: 120_000 });
  for (const step of ["preflight", "restore", "writer", "wait", "connectivity", "validate", "ready-for-cutover"]) {
    await expect(page.locator(`[data-step='${step}']`)).toHaveAttribute("data-status", "succeeded");
  }
  await expect(page.locator("tr[data-check='orphaned-payments']")).toContainText("pass");
  await expect(page.locator("tr[data-check='critical-table-rows']")).toContainText("pass");
  await expect(page.getByTestId("pitr-endpoint")).toContainText(/postgres@127\.0\.0\.1:\d+\/loanserve/);
  await expect(page.getByRole("list", { name: "Cutover checklist" })).toContainText("Update connection strings/DNS");
  await page.screenshot({ path: "test-results/pitr-run.png", fullPage: true });

  // The incident ticked itself from the run.
  await page.goto(`/incidents/${incidentId}`);
  await expect(page.getByRole("checkbox", { name: "Validate critical data integrity", exact: true })).toBeChecked();

  // Clean-up deletes the restored server, once its name is typed (the run folder's, for the demo).
  await page.goBack();
  await page.getByRole("button", { name: "Clean up" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete the restored server?" });
  const name = (await dialog.locator("label", { hasText: "to confirm" }).locator(".font-mono").textContent()) ?? "";
  expect(name).toMatch(/^[0-9a-f]{8}$/);
  await dialog.getByLabel(/to confirm/).fill(name);
  await dialog.getByRole("button", { name: "Delete it" }).click();
  await expect(page.locator("[data-step='cleanup']:visible")).toHaveAttribute("data-status", "succeeded");
});
