import { expect, test } from "@playwright/test";
import { createUserAs, SAME_ORIGIN, signIn } from "./helpers";

// Restore drills in the demo: the Drills page, a drill run from it through to its dropped copy,
// the restore-tested badge on the backup it proved, and the evidence an auditor downloads.

test("an operator runs a drill from the Drills page: it restores, validates, counts rows against the manifest and drops its copy", async ({
  page,
}) => {
  test.setTimeout(360_000);
  await signIn(page);
  // The demo's first drill starts by itself once a backup is verified: let it finish, so ours
  // does not find the sandbox target busy.
  const demoDrills = async () => {
    const overview = (await (await page.request.get("/api/drills")).json()) as {
      environments: Array<{ drills: Array<{ outcome: string }> }>;
    };
    const drills = overview.environments.flatMap((e) => e.drills);
    return drills.length > 0 && drills.every((d) => d.outcome !== "running");
  };
  await expect.poll(demoDrills, { timeout: 180_000, intervals: [2_000] }).toBe(true);
  await page.getByRole("navigation").first().getByRole("link", { name: "Drills" }).click();
  await expect(page.getByRole("heading", { name: "Restore drills" })).toBeVisible();
  await expect(page.getByText("0 4 * * *")).toBeVisible();

  await page.getByRole("button", { name: "Run drill now" }).click();
  const started = page.getByRole("link", { name: /Follow it live/ });
  await expect(started).toBeVisible({ timeout: 30_000 });
  await started.click();
  await expect(page).toHaveURL(/\/restores\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").pop() ?? "";
  await expect(page.getByRole("heading", { name: /^Drill of .+\.(sql\.gz|dump)$/ })).toBeVisible();
  await expect(page.getByText(/^Drill passed: restored and validated in .+, within the RTO objective of 2 h\.$/)).toBeVisible({
    timeout: 180_000,
  });
  await expect(page.getByText(/was dropped at the drill's end; nothing else was touched\./)).toBeVisible();
  await expect(page.getByText(/Every one of the \d+ tables the manifest counts holds exactly its rows\./)).toBeVisible();
  // A drill is never swapped, and what it dropped has nothing to clean up.
  await expect(page.getByRole("button", { name: /Swap|Clean up|Roll back/ })).toHaveCount(0);

  await page.getByRole("link", { name: "All drills" }).click();
  const row = page.locator(`tr[data-drill-id='${runId}']`);
  await expect(row).toContainText("passed");
  await expect(row).toContainText(/tables match/);

  // The backup it restored is restore-tested, linking back to the drill.
  const backupName = (await row.locator("a[href^='/backups/']").innerText()).trim();
  await row.locator("a[href^='/backups/']").click();
  await expect(page.getByRole("heading", { name: backupName })).toBeVisible();
  await expect(page.getByRole("link", { name: "restore-tested" })).toHaveAttribute("href", `/restores/${runId}`);

  // The evidence for auditors names the drill, who started it, and its result.
  const markdown = await (await page.request.get("/api/drills/report?format=markdown")).text();
  expect(markdown).toContain("# Restore drill evidence");
  expect(markdown).toMatch(new RegExp(`\\| Person: [^|]+ \\| ${backupName.replaceAll(".", "\\.")} \\(taken [^)]+\\) \\| passed \\|`));
  const html = await page.request.get("/api/drills/report?format=html");
  expect(html.headers()["content-type"]).toContain("text/html");
  expect(await html.text()).toContain("<h2>demo</h2>");
});

test("a viewer sees the drills but cannot start one, and the API refuses them", async ({ page, browser }) => {
  await signIn(page);
  const viewer = { email: `drill-viewer-${Date.now()}@example.com`, password: "viewer-password-long-enough", role: "viewer" as const };
  await createUserAs(page, viewer);
  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto("/drills");
  await expect(viewerPage.getByRole("button", { name: "Run drill now" })).toBeDisabled();
  await expect(viewerPage.getByText("Starting a drill needs the operator role.")).toBeVisible();
  const refused = await viewerPage.request.post("/api/drills", { data: { environment: "demo" }, headers: SAME_ORIGIN });
  expect(refused.status()).toBe(403);
  await context.close();
});
