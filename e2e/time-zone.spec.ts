import { expect, test } from "@playwright/test";
import { createUserAs, signIn } from "./helpers";

// A browser in Berlin whose person chose Kolkata: the choice wins on every page, and typed times
// in any zone are read exactly, a repeated hour refused until one of its two instants is picked.
test.use({ timezoneId: "Europe/Berlin" });

test("a person shows times in a zone of their choosing and types times in any zone", async ({ page: admin, browser }) => {
  await signIn(admin);
  const person = { email: `zones-${Date.now()}@example.com`, password: "zones-password-long", role: "operator" as const };
  await createUserAs(admin, person);
  const context = await browser.newContext({ timezoneId: "Europe/Berlin" });
  const page = await context.newPage();
  await signIn(page, person);

  // Until they choose, times follow the browser: Berlin is UTC+1 in winter.
  const zoneButton = page.getByRole("button", { name: /^Time zone:/ });
  await expect(zoneButton).toContainText("UTC+1");
  await zoneButton.click();
  const dialog = page.getByRole("dialog", { name: "Show times in" });
  await dialog.getByRole("radio", { name: "Another zone" }).check();
  await dialog.getByRole("combobox", { name: "Zone" }).fill("Mars/Olympus");
  await expect(dialog).toContainText("is not a time zone this browser knows");
  await expect(dialog.getByRole("button", { name: "Save" })).toBeDisabled();
  await dialog.getByRole("combobox", { name: "Zone" }).fill("Asia/Kolkata");
  await expect(dialog).toContainText("UTC+5:30");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(zoneButton).toContainText("UTC+5:30");

  // Kept with the account: a reload, and the backups list, read in Kolkata time with the zone named.
  await page.goto("/backups");
  await expect(page.locator("main time").first()).toContainText("UTC+5:30");

  // A time typed in Berlin on the night the clocks went back happened twice: both are offered.
  await page.goto("/incidents/new");
  const lastGood = page.getByLabel("Last known good", { exact: true });
  await page.getByLabel("Time zone of last known good").selectOption("Europe/Berlin");
  await lastGood.fill("2026-10-25 02:30");
  await expect(page.getByText(/happened twice/)).toBeVisible();
  await page.getByRole("button", { name: /^The second/ }).click();
  await expect(page.locator("#incident-last-good-reading")).toContainText("2026-10-25 01:30:00 UTC");

  // A skipped hour is refused with the reason, and nothing is declared with it.
  const start = page.getByLabel("Incident start", { exact: true });
  await page.getByLabel("Time zone of incident start").selectOption("Europe/Berlin");
  await start.fill("2026-03-29 02:30");
  await expect(page.getByText(/never happened: the clocks jumped forward/)).toBeVisible();
  await start.fill("");

  const title = `Zones ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Environment").selectOption("demo");
  await page.getByLabel("Scope of data loss").fill("a drill of the time zone picker");
  await page.getByRole("button", { name: "Declare incident" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  // 01:30 UTC, shown in the person's zone: 07:00 in Kolkata.
  await expect(page.locator("dd", { has: page.locator("time") }).filter({ hasText: "2026-10-25" })).toContainText(
    "2026-10-25 07:00 UTC+5:30",
  );
  await context.close();
});
