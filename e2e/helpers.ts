import { expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

export async function signIn(page: Page, credentials: { email: string; password: string } = E2E_ADMIN): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Creates a user through the API as the signed-in admin (the page's session cookie). */
export async function createUserAs(page: Page, user: { email: string; password: string; role: "viewer" | "operator" | "admin" }) {
  const response = await page.request.post("/api/users", { data: user });
  expect(response.status(), await response.text()).toBe(201);
}
