import { z } from "zod";
import { ConfigurationError } from "@/lib/errors";

const OptionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** The process environment, parsed once. Every variable the app reads is named here. */
export const AppEnv = z.object({
  DATABASE_URL: z.string().min(1, "is required (the run command sets it for the embedded database)"),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (the run command generates one)"),
  NEXTAUTH_URL: OptionalText.pipe(z.url().optional()),
  RESTORE_CONSOLE_CONFIG: OptionalText,
  OIDC_ISSUER: OptionalText.pipe(z.url().optional()),
  OIDC_CLIENT_ID: OptionalText,
  OIDC_CLIENT_SECRET: OptionalText,
  OIDC_NAME: OptionalText,
  OIDC_DEFAULT_ROLE: z.enum(["viewer", "operator", "admin"]).default("viewer"),
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
export function oidcSettings(env: AppEnv) {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return undefined;
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    name: env.OIDC_NAME ?? "Single sign-on",
    defaultRole: env.OIDC_DEFAULT_ROLE,
  };
}
