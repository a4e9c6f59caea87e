import path from "node:path";
import { defineConfig } from "@playwright/test";

// E2E_PORT lets a second run share the checkout (its own port and data folder); default 3210.
const PORT = Number(process.env.E2E_PORT) || 3210;
export const BASE_URL = `http://127.0.0.1:${PORT}`;
export const E2E_ADMIN = { email: "e2e-admin@example.com", password: "e2e-admin-password-long" };
const DATA_DIR = path.join(import.meta.dirname, ".data", PORT === 3210 ? "e2e" : `e2e-${PORT}`);
/**
 * Single sign-on is configured for the whole suite, as a real deployment would have it; the
 * OpenID provider it points at (oidc-provider, a certified implementation) is started on this
 * loopback port by e2e/oidc.spec.ts only, so no other spec pays for it. Next-auth discovers the
 * issuer at each SSO sign-in, so the server needs no restart.
 */
export const E2E_OIDC = {
  port: 3217,
  issuer: "http://127.0.0.1:3217",
  clientId: "restore-console-e2e",
  clientSecret: "e2e-oidc-client-secret-0123456789abcdef",
  name: "Test IdP",
};

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser on this network.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    // The README's run command itself, on a fresh data folder: embedded database, demo, worker.
    command: `rm -rf "${DATA_DIR}" && node_modules/.bin/tsx --conditions=react-server scripts/start.ts`,
    url: `${BASE_URL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    env: {
      PORT: String(PORT),
      NEXTAUTH_URL: BASE_URL,
      RESTORE_CONSOLE_DATA_DIR: DATA_DIR,
      RESTORE_CONSOLE_ADMIN_EMAIL: E2E_ADMIN.email,
      RESTORE_CONSOLE_ADMIN_PASSWORD: E2E_ADMIN.password,
      DATABASE_URL: "",
      OIDC_ISSUER: E2E_OIDC.issuer,
      OIDC_CLIENT_ID: E2E_OIDC.clientId,
      OIDC_CLIENT_SECRET: E2E_OIDC.clientSecret,
      OIDC_NAME: E2E_OIDC.name,
      OIDC_SCOPES: "openid email profile groups",
      OIDC_ALLOWED_DOMAINS: "example.com",
      OIDC_ROLE_MAP: "sre-admins=admin,sre=operator,staff=viewer",
      // Four-eyes on the demo's second target only (e2e/four-eyes.spec.ts); demo-production stays one-person.
      RESTORE_CONSOLE_DEMO_FOUR_EYES: "demo-dr",
    },
  },
});
