import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";
import { createUserAs, signIn } from "./helpers";

// Four-eyes end to end: the e2e configuration turns it on for the demo's demo-dr target only
// (RESTORE_CONSOLE_DEMO_FOUR_EYES in playwright.config.ts), so demo-production stays one-person
// for the other specs. Two people in two browser contexts: one asks for a swap, the other sees the
// request on Overview and approves it, and the swap runs.

/**
 * A second person, added by the signed-in admin through the API, signed in in a browser context of
 * their own. An admin-added person gets a one-time password and must choose their own first.
 */
async function secondPerson(
  admin: Page,
  browser: Browser,
  role: "operator" | "admin",
): Promise<{ page: Page; email: string; close: () => Promise<void> }> {
  const email = `approver-${Date.now()}@example.com`;
  const password = "approver-password-long-enough";
  await createUserAs(admin, { email, password, role });
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, { email, password });
  return { page, email, close: () => context.close() };
}

test("a swap on a four-eyes target is requested by one person and approved by another", async ({ page: requester, browser }) => {
  test.setTimeout(240_000);
  await signIn(requester);

  // The requester restores a verified backup onto demo-dr (a swap).
  await requester.goto("/backups?manifest=present&verification=verified");
  const row = requester.locator("tbody tr[data-backup-name$='.sql.gz']").first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  const backupName = (await row.getAttribute("data-backup-name")) ?? "";
  await row.getByRole("link", { name: backupName }).click();
  await requester.getByRole("link", { name: "Restore this backup" }).click();
  await requester.getByLabel("Restore target").selectOption("demo-dr");
  await requester.getByRole("button", { name: "Show the plan" }).click();
  await expect(requester.getByRole("heading", { name: /The plan — nothing has changed yet/ })).toBeVisible();
  await requester.getByLabel(/Type the target database/).fill("loanserve_dr");
  await requester.getByRole("button", { name: "Start restore" }).click();
  await expect(requester).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
  const runUrl = requester.url();
  await expect(requester.getByText("waiting for swap confirmation")).toBeVisible({ timeout: 120_000 });

  // The swap is asked for, with a reason, instead of done.
  await expect(requester.getByTestId("four-eyes-notice")).toBeVisible();
  const ask = requester.getByRole("button", { name: "Ask for approval to swap" });
  await requester.getByLabel(/to confirm/).fill(`${backupName} -> loanserve_dr`);
  await expect(ask).toBeDisabled();
  const reason = `DR copy refresh before the quarterly drill ${Date.now()}`;
  await requester.getByLabel(/Why is this needed/).fill(reason);
  await ask.click();
  const panel = requester.getByTestId("approvals-panel");
  const pendingOnRun = panel.locator("[data-approval-status='pending']");
  await expect(pendingOnRun).toContainText(reason);
  await expect(pendingOnRun).toContainText("you cannot approve your own request");
  await expect(pendingOnRun.getByRole("button", { name: "Approve and run" })).toHaveCount(0);
  await expect(requester.getByText("waiting for swap confirmation")).toBeVisible();

  // The second person sees it on Overview: who asked, why, time left.
  const second = await secondPerson(requester, browser, "operator");
  const approver = second.page;
  await approver.goto("/");
  const card = approver.getByTestId("pending-approvals");
  // Visible only: React may keep a hidden copy of a streamed part of the page.
  const item = card.locator("[data-approval-status='pending']:visible", { hasText: reason });
  await expect(item).toBeVisible();
  await expect(item).toContainText(E2E_ADMIN.email);
  await expect(item).toContainText("Swap databases");
  await expect(item.getByTestId("approval-time-left")).toContainText(/min .* left/);

  // Approved from the run page (keyboard): the swap runs, and both pages show it.
  await item.getByRole("link").first().click();
  await expect(approver).toHaveURL(runUrl);
  const approve = approver.getByTestId("approvals-panel").getByRole("button", { name: "Approve and run" }).filter({ visible: true });
  await approve.focus();
  await approver.keyboard.press("Enter");
  await expect(approver.getByText(/now holds the restored data/)).toBeVisible({ timeout: 60_000 });
  await expect(requester.getByText(/now holds the restored data/)).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByText("Earlier requests (1)")).toBeVisible();

  // Nothing waits any more on Overview.
  await approver.goto("/");
  await expect(
    approver.getByTestId("pending-approvals").locator("[data-approval-status='pending']:visible", { hasText: reason }),
  ).toHaveCount(0);
  await second.close();
});
