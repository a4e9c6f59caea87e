import path from "node:path";
import { defineConfig } from "@playwright/test";

const PORT = 3210;
export const BASE_URL = `http://127.0.0.1:${PORT}`;
export const E2E_ADMIN = { email: "e2e-admin@example.com", password: "e2e-admin-password-long" };
const DATA_DIR = path.join(import.meta.dirname, ".data", "e2e");

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
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    // The README's run command itself, on a fresh data folder: embedded database, demo, worker.
    command: `rm -rf "${DATA_DIR}" && node_modules/.bin/tsx scripts/start.ts`,
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
    },
  },
});
