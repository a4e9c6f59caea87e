import type { Role } from "@/lib/auth/roles";

/** What each role may do, in a line: shown where a role is chosen. */
export const ROLE_HELP: Record<Role, string> = {
  viewer: "Sees backups, restores, incidents and the audit log; changes nothing.",
  operator: "Also verifies backups, runs restores and works incidents.",
  admin: "Also manages people, overrides and accepts validation failures.",
};
