// Single sign-on policy: which identity-provider accounts may sign in, and with which role.
// Pure functions of the ID token's claims and the settings, so every rule is unit-tested.
import { hasRole, isRole, ROLES, type Role } from "./roles";

/** One `value=role` pair of OIDC_ROLE_MAP: a person whose role claim holds `value` gets `role`. */
export interface RoleMapping {
  value: string;
  role: Role;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string;
  /** Lower-case email domains allowed to sign in; empty means any domain. */
  allowedDomains: string[];
  /** Groups (in `groupsClaim`) of which a person must hold at least one; empty means no group check. */
  allowedGroups: string[];
  groupsClaim: string;
  roleClaim: string;
  /** Empty: roles are managed in the app, and new SSO people get `defaultRole` (or viewer). */
  roleMap: RoleMapping[];
  /** With a role map: the role of someone no mapping matches (unset: they are refused). */
  defaultRole: Role | undefined;
}

/** Why an SSO sign-in was refused; each has its own message on the sign-in page and in the audit log. */
export const OIDC_REFUSALS = [
  "identity_missing",
  "email_missing",
  "email_unverified",
  "domain_not_allowed",
  "group_not_allowed",
  "no_role",
  "email_in_use",
  "disabled",
] as const;
export type OidcRefusal = (typeof OIDC_REFUSALS)[number];

export function isOidcRefusal(value: unknown): value is OidcRefusal {
  return typeof value === "string" && (OIDC_REFUSALS as readonly string[]).includes(value);
}

export type OidcDecision =
  | {
      ok: true;
      issuer: string;
      subject: string;
      email: string;
      name: string | null;
      groups: string[];
      /** The role the claims grant; undefined when roles are managed in the app (no role map). */
      role: Role | undefined;
    }
  | { ok: false; reason: OidcRefusal; issuer?: string; subject?: string; email?: string; groups?: string[] };

/** A comma-separated list from the environment (group names may hold spaces): trimmed, empties dropped. */
export function parseList(value: string | undefined, separator: RegExp = /,/): string[] {
  return (value ?? "")
    .split(separator)
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Scopes as OAuth writes them: separated by spaces (commas tolerated). */
export function parseScopes(value: string | undefined): string[] {
  return parseList(value, /[\s,]+/);
}

/** Domains as people write them (`@Example.com`, `example.com`), compared in lower case. */
export function parseDomains(value: string | undefined): string[] {
  return parseList(value, /[\s,]+/).map((d) => d.replace(/^@/, "").toLowerCase());
}

/**
 * OIDC_ROLE_MAP: `value=role` pairs separated by commas, e.g. "sre-admins=admin,sre=operator".
 * Values may contain spaces (Entra and Okta group names do); a bad pair is a start-up error.
 */
export function parseRoleMap(value: string | undefined): { mappings: RoleMapping[]; problems: string[] } {
  const mappings: RoleMapping[] = [];
  const problems: string[] = [];
  for (const pair of (value ?? "").split(",")) {
    if (!pair.trim()) continue;
    const at = pair.lastIndexOf("=");
    const claimValue = at < 0 ? "" : pair.slice(0, at).trim();
    const role = at < 0 ? "" : pair.slice(at + 1).trim();
    if (!claimValue || !isRole(role)) {
      problems.push(`"${pair.trim()}" is not value=role with role one of ${ROLES.join(", ")}`);
      continue;
    }
    mappings.push({ value: claimValue, role });
  }
  return { mappings, problems };
}

/**
 * A claim by name: the literal name first (Auth0's namespaced claims are URLs with dots), then a
 * dotted path into nested objects (Keycloak's `realm_access.roles`).
 */
export function readClaim(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let current: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A claim as a list of strings: an array keeps its strings, a single string is one value. */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const value = readClaim(claims, name);
  if (typeof value === "string") return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  return [];
}

/** The highest role any of the values maps to (matching is exact, case included). */
export function mapRole(values: readonly string[], mappings: readonly RoleMapping[]): Role | undefined {
  let best: Role | undefined;
  for (const mapping of mappings) {
    if (values.includes(mapping.value) && (!best || hasRole(mapping.role, best))) best = mapping.role;
  }
  return best;
}

/** Issuers are compared without a trailing slash, so `OIDC_ISSUER` may be written either way. */
export function normalizeIssuer(issuer: string): string {
  return issuer.trim().replace(/\/+$/, "");
}

/** Some providers (Cognito's userinfo) send the boolean as a string; anything else is "not verified". */
function isVerified(value: unknown): boolean {
  return value === true || value === "true";
}

const EMAIL = /^[^\s@]+@([^\s@]+\.)*[^\s@.]+$/;

/**
 * Decides an SSO sign-in from the validated ID token's claims: the identity (issuer, subject),
 * a verified email in an allowed domain, an allowed group, and the role from the claim mapping.
 * Whether the identity belongs to an account is decided afterwards, by issuer and subject only.
 */
export function decideOidcSignIn(claims: Record<string, unknown>, settings: OidcSettings): OidcDecision {
  const issuer = typeof claims.iss === "string" && claims.iss ? normalizeIssuer(claims.iss) : undefined;
  const subject = typeof claims.sub === "string" && claims.sub ? claims.sub : undefined;
  const rawEmail = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  const email = EMAIL.test(rawEmail) ? rawEmail : undefined;
  const groups = claimValues(claims, settings.groupsClaim);
  const seen = { issuer, subject, email, groups };

  if (!issuer || !subject) return { ok: false, reason: "identity_missing", ...seen };
  if (!email) return { ok: false, reason: "email_missing", ...seen };
  if (!isVerified(claims.email_verified)) return { ok: false, reason: "email_unverified", ...seen };
  const domain = email.slice(email.lastIndexOf("@") + 1);
  if (settings.allowedDomains.length > 0 && !settings.allowedDomains.includes(domain)) {
    return { ok: false, reason: "domain_not_allowed", ...seen };
  }
  if (settings.allowedGroups.length > 0 && !groups.some((g) => settings.allowedGroups.includes(g))) {
    return { ok: false, reason: "group_not_allowed", ...seen };
  }
  let role: Role | undefined;
  if (settings.roleMap.length > 0) {
    const roleValues = settings.roleClaim === settings.groupsClaim ? groups : claimValues(claims, settings.roleClaim);
    role = mapRole(roleValues, settings.roleMap) ?? settings.defaultRole;
    if (!role) return { ok: false, reason: "no_role", ...seen };
  }
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim().slice(0, 200) : null;
  return { ok: true, issuer, subject, email, name, groups, role };
}

/** What the sign-in page says for each refusal: what happened and what to do next. */
export function oidcRefusalMessage(reason: string | undefined, providerName = "single sign-on"): string {
  switch (reason) {
    case "identity_missing":
      return `${providerName} did not say who you are (no issuer or subject). Try again; if it keeps failing, tell an admin.`;
    case "email_missing":
      return `${providerName} did not share an email address for this account. Ask your identity team to release the email claim to Restore Console.`;
    case "email_unverified":
      return `${providerName} has not verified the email address of this account. Verify it there, then sign in again.`;
    case "domain_not_allowed":
      return `Accounts with this email domain may not sign in to Restore Console. Use your work account, or ask an admin.`;
    case "group_not_allowed":
      return `This ${providerName} account is not in a group allowed to use Restore Console. Ask to be added to one, then sign in again.`;
    case "no_role":
      return `This ${providerName} account is not in any group that grants a role in Restore Console. Ask to be added to one, then sign in again.`;
    case "email_in_use":
      return `A Restore Console account with this email already exists and is not linked to this ${providerName} account. It is never joined by email alone: ask an admin to link your single sign-on identity to your account (People page), then sign in again.`;
    case "disabled":
      return "This account is disabled. Ask an admin to enable it.";
    default:
      return `Sign-in with ${providerName} was refused. Try again; if it keeps failing, tell an admin.`;
  }
}

/** Where a refused SSO sign-in lands: the sign-in page, which shows the reason's message. */
export function oidcRefusalUrl(baseUrl: string | undefined, reason: OidcRefusal): string {
  const query = `/signin?error=OidcRefused&reason=${encodeURIComponent(reason)}`;
  return baseUrl ? new URL(query, baseUrl).toString() : query;
}
