import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";
import { createUserAs, SAME_ORIGIN, signIn } from "./helpers";

test("an anonymous visitor is sent to sign-in", async ({ page }) => {
  await page.goto("/backups");
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("wrong credentials get a clear message and no session", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/email or password is incorrect/i)).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
});

test("an admin signs in, sees every page, and signs out", async ({ page }) => {
  await signIn(page);
  await expect(page.getByText("admin", { exact: true }).first()).toBeVisible();
  const nav = page.getByRole("navigation").first();
  for (const name of ["Backups", "Restores", "Incidents", "Audit", "Settings", "Overview"]) {
    await nav.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(nav.getByRole("link", { name })).toHaveAttribute("aria-current", "page");
  }
  await nav.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "auth.sign_in" }).first()).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/signin/);
});

test("a viewer is refused an admin action, and the audit log shows the denied attempt", async ({ page, browser }) => {
  await signIn(page);
  const viewer = { email: `viewer-${Date.now()}@example.com`, password: "viewer-password-long", role: "viewer" as const };
  await createUserAs(page, viewer);

  const viewerContext = await browser.newContext();
  const viewerPage = await viewerContext.newPage();
  await signIn(viewerPage, viewer);
  const denied = await viewerPage.request.post("/api/users", {
    data: { email: "x@example.com", role: "admin", password: "whatever-long-enough" },
    headers: SAME_ORIGIN,
  });
  expect(denied.status()).toBe(403);
  const anonymous = await (await browser.newContext()).request.get("/api/audit");
  expect(anonymous.status()).toBe(401);
  await viewerContext.close();

  await page.goto(`/audit?actor=${encodeURIComponent(viewer.email)}&outcome=denied`);
  await expect(page.getByRole("cell", { name: "api.access" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: viewer.email }).first()).toBeVisible();
});

test("a deep link survives sign-in, unknown ids are real 404s, and the app has its icon", async ({ page }) => {
  await page.goto("/drills?from=2026-11-01");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdrills%3Ffrom%3D2026-11-01$/);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/drills\?from=2026-11-01$/);

  const unknown = "6f1c2d3e-0000-4000-8000-000000000001";
  for (const path of [`/restores/${unknown}`, `/incidents/${unknown}`, `/backups/${unknown}`, "/restores/not-an-id"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(/not found/i);
  }

  const icon = page.locator("link[rel='icon']");
  const href = await icon.first().getAttribute("href");
  expect((await page.request.get(href ?? "/missing")).headers()["content-type"]).toContain("image/svg+xml");
});
