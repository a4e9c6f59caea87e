import { z } from "zod";

// API tokens as pages and routes see them: pure shapes (the page's form reads them too).

export const API_TOKEN_ROLES = ["viewer", "operator"] as const;
export const API_TOKEN_DAYS = [7, 30, 90, 365] as const;

export const CreateApiTokenInput = z.strictObject({
  name: z
    .string()
    .trim()
    .min(3, "at least 3 characters")
    .max(60, "at most 60 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, spaces, dots, dashes and underscores"),
  role: z.enum(API_TOKEN_ROLES, { error: "a token is a viewer or an operator" }),
  expiresInDays: z.number().int().min(1).max(365, "at most a year").default(90),
});
export type CreateApiTokenInput = z.input<typeof CreateApiTokenInput>;

export interface ApiTokenView {
  id: string;
  name: string;
  role: "viewer" | "operator";
  prefix: string;
  createdByEmail: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedByEmail: string | null;
  lastUsedAt: string | null;
  state: "active" | "expired" | "revoked";
}
