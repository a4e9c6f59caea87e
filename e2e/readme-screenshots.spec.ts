import { mkdir, readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// The README's pictures, taken from the running demo on every test run so they cannot go stale:
// a page that no longer renders what the picture shows fails here first.

test.use({ colorScheme: "light", timezoneId: "UTC", viewport: { width: 1440, height: 900 } });

const DIR = "public/screenshots";

async function shoot(page: Page, name: string, path: string, shows: RegExp): Promise<void> {
  await page.goto(path);
  await expect(page.locator("main")).toContainText(shows, { timeout: 30_000 });
  await page.screenshot({ path: `${DIR}/${name}.png`, fullPage: false });
}

test("the README's screenshots are taken from the demo, and the README shows only those", async ({ page }) => {
  test.setTimeout(180_000);
  await mkdir(DIR, { recursive: true });
  await signIn(page);
  const taken = ["overview", "backups", "incident", "restore-run"];

  await shoot(page, "overview", "/", /Needs attention/);
  await shoot(page, "backups", "/backups", /checksum mismatch/);
  const incidents = (await (await page.request.get("/api/incidents")).json()) as { incidents: Array<{ id: string }> };
  const incident = incidents.incidents.at(-1);
  expect(incident, "the demo seeds an incident").toBeDefined();
  await shoot(page, "incident", `/incidents/${incident?.id}`, /Immediate actions/i);
  const runs = (await (await page.request.get("/api/restores")).json()) as { runs: Array<{ id: string; kind: string; status: string }> };
  const finished = runs.runs.find((run) => run.kind === "logical" && run.status === "succeeded");
  expect(finished, "an earlier spec finished a logical restore").toBeDefined();
  await shoot(page, "restore-run", `/restores/${finished?.id}`, /Validation/);

  const readme = await readFile("README.md", "utf8");
  const shown = [...readme.matchAll(/public\/screenshots\/([\w-]+)\.png/g)].map((match) => match[1]);
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.filter((name) => !taken.includes(name ?? ""))).toEqual([]);
});
