import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// Every main page at a laptop's and a phone's width: nothing may widen the page past the screen
// (a table scrolls inside its own box; a long name wraps).

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** The main pages, and one page of each kind of record the demo has by now. */
async function pagesToCheck(page: Page): Promise<string[]> {
  const json = async <T>(path: string) => (await (await page.request.get(path)).json()) as T;
  const incidents = await json<{ incidents: Array<{ id: string }> }>("/api/incidents");
  const backups = await json<{ backups: Array<{ id: string }> }>("/api/backups?environment=demo");
  const runs = await json<{ runs: Array<{ id: string }> }>("/api/restores");
  const drills = await json<{ environments: Array<{ drills: Array<{ id: string }> }> }>("/api/drills");
  const records = [
    incidents.incidents[0] && `/incidents/${incidents.incidents[0].id}`,
    backups.backups[0] && `/backups/${backups.backups[0].id}`,
    runs.runs[0] && `/restores/${runs.runs[0].id}`,
    drills.environments[0]?.drills[0] && `/restores/${drills.environments[0].drills[0].id}`,
  ].filter((path): path is string => typeof path === "string");
  return [
    "/",
    "/backups",
    "/restores",
    "/restores/new",
    "/restores/pitr",
    "/drills",
    "/incidents",
    "/incidents/new",
    "/audit",
    "/people",
    "/settings",
    ...records,
  ];
}

for (const width of [1440, 1024, 390]) {
  test(`no page overflows sideways at ${width} px`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width, height: 900 });
    await signIn(page);
    const overflowing: string[] = [];
    for (const path of await pagesToCheck(page)) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) overflowing.push(`${path}: ${overflow} px`);
    }
    expect(overflowing).toEqual([]);
  });
}
