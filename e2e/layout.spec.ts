import { expect, test, type Page } from "@playwright/test";
import { pagesToCheck, signIn } from "./helpers";

// Every main page at a laptop's and a phone's width: nothing may widen the page past the screen
// (a table scrolls inside its own box; a long name wraps).

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
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
