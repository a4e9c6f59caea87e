import { z } from "zod";
import { ConfigurationError } from "@/lib/errors";
import { parseDomains, parseList, parseRoleMap, parseScopes, type OidcSettings } from "@/lib/auth/oidc-policy";
import { ROLES } from "@/lib/auth/roles";

const OptionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** The process environment, parsed once. Every variable the app reads is named here. */
export const AppEnv = z.object({
  DATABASE_URL: z.string().min(1, "is required (the run command sets it for the embedded database)"),
  /** The owner role, for migrations only (scripts/migrate.ts, scripts/start.ts); never handed to the web server or worker. */
  MIGRATION_DATABASE_URL: OptionalText,
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (the run command generates one)"),
  NEXTAUTH_URL: OptionalText.pipe(z.url().optional()),
  RESTORE_CONSOLE_CONFIG: OptionalText,
  /** Reverse proxies in front of the app that append to X-Forwarded-For (0: browsers connect directly). */
  RESTORE_CONSOLE_TRUSTED_PROXY_HOPS: OptionalText.pipe(z.coerce.number<string | undefined>().int().min(0).max(10).default(0)),
  OIDC_ISSUER: OptionalText.pipe(z.url().optional()),
  OIDC_CLIENT_ID: OptionalText,
  OIDC_CLIENT_SECRET: OptionalText,
  OIDC_NAME: OptionalText,
  /** Without OIDC_ROLE_MAP: the role of new SSO people (default viewer). With it: the role when no mapping matches (unset: refused). */
  OIDC_DEFAULT_ROLE: OptionalText.pipe(z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }).optional()),
  OIDC_SCOPES: OptionalText.pipe(
    z
      .string()
      .refine((v) => parseScopes(v).includes("openid"), 'must include openid, e.g. "openid email profile groups"')
      .optional(),
  ),
  OIDC_ALLOWED_DOMAINS: OptionalText,
  OIDC_ALLOWED_GROUPS: OptionalText,
  OIDC_GROUPS_CLAIM: OptionalText,
  OIDC_ROLE_CLAIM: OptionalText,
  OIDC_ROLE_MAP: OptionalText.pipe(
    z
      .string()
      .superRefine((v, ctx) => {
        for (const problem of parseRoleMap(v).problems) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  ),
  /** Absolute session lifetime, counted from sign-in (not from the last request). */
  SESSION_LIFETIME_HOURS: OptionalText.pipe(
    z.coerce
      .number<string | undefined>()
      .min(0.05, "must be at least 0.05 (3 minutes)")
      .max(720, "must be at most 720 (30 days)")
      .default(12),
  ),
});
export type AppEnv = z.infer<typeof AppEnv>;

let parsed: { snapshot: string; env: AppEnv } | undefined;

export function describeZodIssues(error: z.ZodError, root = ""): string {
  return error.issues
    .map((issue) => {
      const where = [root, ...issue.path.map(String)].filter(Boolean).join(".");
      return `${where || "(root)"}: ${issue.message}`;
    })
    .join("\n");
}

function snapshotOf(source: NodeJS.ProcessEnv): string {
  return Object.keys(AppEnv.shape)
    .map((key) => source[key] ?? "")
    .join("\u0000");
}

/** process.env parsed with zod; re-parsed only if one of our variables changed (tests do that). */
export function getEnv(): AppEnv {
  const snapshot = snapshotOf(process.env);
  if (parsed?.snapshot === snapshot) return parsed.env;
  const result = AppEnv.safeParse(process.env);
  if (!result.success) {
    throw new ConfigurationError(`Invalid environment:\n${describeZodIssues(result.error)}`);
  }
  parsed = { snapshot, env: result.data };
  return result.data;
}

/** OIDC single sign-on is on only when issuer, client id and secret are all set. */
export function oidcSettings(env: AppEnv): OidcSettings | undefined {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return undefined;
  const groupsClaim = env.OIDC_GROUPS_CLAIM ?? "groups";
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    name: env.OIDC_NAME ?? "Single sign-on",
    scopes: parseScopes(env.OIDC_SCOPES ?? "openid email profile").join(" "),
    allowedDomains: parseDomains(env.OIDC_ALLOWED_DOMAINS),
    allowedGroups: parseList(env.OIDC_ALLOWED_GROUPS),
    groupsClaim,
    roleClaim: env.OIDC_ROLE_CLAIM ?? groupsClaim,
    roleMap: parseRoleMap(env.OIDC_ROLE_MAP).mappings,
    defaultRole: env.OIDC_DEFAULT_ROLE,
  };
}
