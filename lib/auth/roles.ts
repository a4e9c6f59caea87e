export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** viewer < operator < admin: does `role` carry at least the rights of `required`? */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** The signed-in person as every layer sees them, or an API token acting with its own role. */
export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** Set for an API token: automation, never a person (it cannot ask for or give a four-eyes approval). */
  via?: "token";
}

/** What only a person may do (a four-eyes decision, their own password, a live view). */
export function isPerson(user: SessionUser): boolean {
  return user.via !== "token";
}
