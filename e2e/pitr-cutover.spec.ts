import { expect, test, type Page } from "@playwright/test";
import { SAME_ORIGIN, signIn } from "./helpers";

// What might be production is not destroyed by one click: a PITR run a person marked as cut over
// offers no clean-up (and the server refuses one), and cleaning up any other run needs the
// restored server's name typed, keeping a final snapshot by default.

/** Starts a PITR of the demo to "latest" through the API and opens its page, once it is ready for cutover. */
async function restoreLatest(page: Page): Promise<{ runId: string; confirmation: string; finalSnapshot: string }> {
  const started = await page.request.post("/api/pitr/restores", {
    data: { environment: "demo", target: { kind: "latest" }, confirmation: "demo" },
    headers: SAME_ORIGIN,
  });
  expect(started.status(), await started.text()).toBe(201);
  const { id: runId } = (await started.json()) as { id: string };
  await page.goto(`/restores/${runId}`);
  await expect(page.getByRole("status", { name: "Ready for cutover" })).toBeVisible({ timeout: 120_000 });
  const detail = (await (await page.request.get(`/api/restores/${runId}`)).json()) as {
    run: { pitrCleanup: { confirmation: string; finalSnapshot: string } };
  };
  return { runId, ...detail.run.pitrCleanup };
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [1440, 1024, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("a PITR run marked as cut over cannot be cleaned up; another run's clean-up needs the restored server's name typed", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signIn(page);

  // 1. Cut over: marked from the run page, shown on it, clean-up no longer offered and refused by the server.
  const cutOver = await restoreLatest(page);
  await page.getByRole("button", { name: "Mark as cut over" }).click();
  const confirm = page.getByRole("dialog", { name: "Mark this run as cut over?" });
  await expect(confirm).toContainText(/postgres@127\.0\.0\.1:\d+\/loanserve/);
  await confirm.getByRole("button", { name: "Mark as cut over" }).click();
  const marked = page.getByRole("status", { name: "Cut over" });
  await expect(marked).toContainText("by e2e-admin@example.com");
  await expect(page.getByTestId("pitr-cleanup-refusal")).toContainText("Restore Console will not delete it");
  await expect(page.getByRole("button", { name: "Clean up" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Mark as cut over" })).toHaveCount(0);
  await expect(page.locator("ol[aria-live='polite']")).toContainText("marked the run as cut over");
  await screenshots(page, "pitr-cut-over");
  const refused = await page.request.post(`/api/restores/${cutOver.runId}/pitr-cleanup`, {
    data: { confirmation: cutOver.confirmation },
    headers: SAME_ORIGIN,
  });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
    /marked this run as cut over .* will not delete it/,
  );
  const generic = await page.request.post(`/api/restores/${cutOver.runId}/cleanup`, {
    data: { confirmation: cutOver.confirmation },
    headers: SAME_ORIGIN,
  });
  expect(generic.status()).toBe(409);

  // 2. Not cut over: clean-up names what it deletes and the snapshot it keeps, and waits for the typed name.
  const other = await restoreLatest(page);
  expect(other.confirmation).not.toBe(cutOver.confirmation);
  const untyped = await page.request.post(`/api/restores/${other.runId}/pitr-cleanup`, { data: {}, headers: SAME_ORIGIN });
  expect(untyped.status()).toBe(400);
  expect(((await untyped.json()) as { error: { message: string } }).error.message).toContain(`Type exactly "${other.confirmation}"`);

  // By keyboard: the button, then the name typed, then Enter.
  await page.getByRole("button", { name: "Clean up" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Delete the restored server?" });
  await expect(dialog.getByRole("list", { name: "Deleted" })).toContainText(other.confirmation);
  await expect(dialog.getByRole("checkbox", { name: /Keep a final snapshot named/ })).toBeChecked();
  await expect(dialog).toContainText(other.finalSnapshot);
  const remove = dialog.getByRole("button", { name: "Delete it" });
  await expect(remove).toBeDisabled();
  const typed = dialog.getByLabel(/to confirm/);
  await typed.fill(cutOver.confirmation);
  await expect(remove).toBeDisabled();
  await screenshots(page, "pitr-cleanup-dialog");
  await typed.fill("");
  await typed.pressSequentially(other.confirmation);
  await expect(remove).toBeEnabled();
  await typed.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.locator("[data-step='cleanup']:visible")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator("ol[aria-live='polite']")).toContainText(`Kept the restored data as the final snapshot ${other.finalSnapshot}`);

  // The cut-over run's restored server still answers: its page still shows it, nothing was deleted.
  await page.goto(`/restores/${cutOver.runId}`);
  await expect(page.getByRole("status", { name: "Cut over" })).toBeVisible();
  await expect(page.locator("[data-step='cleanup']:visible")).toHaveAttribute("data-status", "pending");
});
