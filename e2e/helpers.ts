import { expect, type Page } from "@playwright/test";
import { BASE_URL, E2E_ADMIN } from "../playwright.config";

/**
 * What a browser adds to a POST from one of the app's pages. Playwright's API client
 * (`page.request`) is not a browser and sends no Origin, so API calls made through it must
 * say where they come from, or the route wrapper refuses them as cross-site (CSRF).
 */
export const SAME_ORIGIN = { origin: BASE_URL } as const;

export async function signIn(page: Page, credentials: { email: string; password: string } = E2E_ADMIN): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * Adds a person through the API as the signed-in admin (the page's session cookie). An added person
 * gets a one-time password; their first sign-in, in a browser context of its own, replaces it with
 * `user.password`, as a new colleague would.
 */
export async function createUserAs(page: Page, user: { email: string; password: string; role: "viewer" | "operator" | "admin" }) {
  const response = await page.request.post("/api/users", { data: { email: user.email, role: user.role }, headers: SAME_ORIGIN });
  expect(response.status(), await response.text()).toBe(201);
  const { oneTimePassword } = (await response.json()) as { oneTimePassword: string };
  const browser = page.context().browser();
  if (!browser) throw new Error("createUserAs needs a page from a launched browser");
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await first.goto("/signin");
    await first.getByLabel("Email").fill(user.email);
    await first.getByLabel("Password").fill(oneTimePassword);
    await first.getByRole("button", { name: "Sign in" }).click();
    await expect(first).not.toHaveURL(/\/signin/);
    const changed = await first.request.post("/api/users/me/password", {
      data: { currentPassword: oneTimePassword, newPassword: user.password },
      headers: SAME_ORIGIN,
    });
    expect(changed.status(), await changed.text()).toBe(200);
  } finally {
    await context.close();
  }
}

/** The main pages, and one page of each kind of record the demo has by now. */
export async function pagesToCheck(page: Page): Promise<string[]> {
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
