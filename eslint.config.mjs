import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

const SOURCE = "{ts,tsx,mts,cts,js,mjs,cjs}";
const TESTS = [`**/*.test.${SOURCE}`];

// ---------------------------------------------------------------------------------------------
// Architecture, machine-checked (see ARCHITECTURE.md, "Layout" and "Rules of the house").
// Each group below is one rule of the house; a zone (a set of files) lists the groups that hold
// in it. ESLint does not merge the options of one rule across config objects (the last matching
// object wins), so every zone carries its full list, and the zones are ordered from general to
// specific: a file takes the LAST zone it matches.
// ---------------------------------------------------------------------------------------------

/** `pg` and its helper packages (pg-connection-string, pg-copy-streams, …), but not pg-boss. */
const PG_DRIVER = {
  regex: "^(pg|pg-(?!boss(/|$))[^/]+)(/|$)",
  message:
    "The pg driver stays behind lib/providers (databases we restore into or read from) and lib/db (the app's own database). For the app database use lib/db (Prisma client, ctx, listen hub); for a target or source database call a lib/providers/postgres function, or add a small one there.",
};

const PG_BOSS = {
  regex: "^pg-boss(/|$)",
  message: "pg-boss is the job engine and stays in lib/jobs. Enqueue with lib/jobs (enqueueJob) and declare jobs with defineJob.",
};

const AWS_SDK = {
  regex: "^@aws-sdk/",
  message:
    "AWS SDK clients, types and errors never leave lib/providers: the providers translate them into our types and errors (lib/providers/types.ts). Call a provider (lib/providers/aws, or createPitrProviderFor) instead.",
};

const UI_BACKEND = {
  regex: "^(@/lib/|(\\.\\./)+(lib/)?)(db|providers)(/|$)",
  message:
    "Browser code (components/, lib/client/) never imports lib/db or lib/providers: they hold secrets, drivers and server-only code. Fetch through lib/client (a use-*.ts hook or fetcher calling an API route), or receive the data as props from a server component.",
};

/** Providers speak the outside world and our own types, never a domain: config, errors, env and format only. */
const providerAllowList = (extra = []) => ({
  regex: `^@/(?!lib/(${["config", "errors", "env", "format", "providers", ...extra].join("|")})(/|$))`,
  message:
    "lib/providers imports only lib/config, lib/errors, lib/env, lib/format and its own files: a provider is the outside world behind a small interface, and domain folders (restore, backups, jobs, db, …) call it, not the other way round. Take what the provider needs as a parameter, or move a shared type to lib/providers/types.ts.",
});

const PROVIDER_RELATIVE_ESCAPE = {
  regex: "^(\\.\\./)+(lib/)?(restore|backups|incidents|approvals|users|audit|auth|jobs|http|demo|db|client|health|generated|testing)(/|$)",
  message:
    "lib/providers imports no domain folder, and imports outside lib/providers are written as @/lib/… so this rule can read them. Take what the provider needs as a parameter instead.",
};

const zone = (name, files, groups) => ({
  name: `architecture/${name}`,
  files,
  rules: { "no-restricted-imports": groups.length ? ["error", { patterns: groups }] : "off" },
});

const architecture = [
  zone("everywhere", [`**/*.${SOURCE}`], [PG_DRIVER, PG_BOSS, AWS_SDK]),
  zone("browser", [`components/**/*.${SOURCE}`, `lib/client/**/*.${SOURCE}`], [UI_BACKEND, PG_DRIVER, PG_BOSS, AWS_SDK]),
  zone("jobs", [`lib/jobs/**/*.${SOURCE}`], [PG_DRIVER, AWS_SDK]),
  zone("providers", [`lib/providers/**/*.${SOURCE}`], [providerAllowList(), PROVIDER_RELATIVE_ESCAPE]),
  // Infrastructure that talks to databases and AWS on its own terms: the app database itself
  // (Prisma adapter, LISTEN hub, migrations), test harnesses, dev/CI scripts, and tests.
  zone(
    "infrastructure",
    [`lib/db/**/*.${SOURCE}`, `lib/testing/**/*.${SOURCE}`, `scripts/**/*.${SOURCE}`, `e2e/**/*.${SOURCE}`, ...TESTS],
    [],
  ),
  // Tests keep their folder's boundary (not its driver rule).
  zone(
    "browser-tests",
    TESTS.flatMap((t) => [`components/${t}`, `lib/client/${t}`]),
    [UI_BACKEND],
  ),
  zone(
    "provider-tests",
    TESTS.map((t) => `lib/providers/${t}`),
    [providerAllowList(["testing"]), PROVIDER_RELATIVE_ESCAPE],
  ),
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    ".data/**",
    "node_modules/**",
    "lib/generated/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
  ]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    name: "architecture/no-cycle",
    files: [`**/*.${SOURCE}`],
    settings: {
      // eslint-plugin-import (registered by eslint-config-next, with its TypeScript resolver, so
      // `@/…` resolves) would otherwise parse every package it meets in node_modules to build the
      // import graph: 5× the lint time for nothing, since no cycle can pass through a package.
      "import/ignore": ["node_modules"],
    },
    rules: {
      // Type-only imports (`import type`) are erased at run time and do not count.
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  ...architecture,
  // Last: Prettier owns formatting. No enabled rule conflicts today (`npx eslint-config-prettier <file>`);
  // this keeps it so when a plugin update brings a stylistic rule.
  prettier,
]);
