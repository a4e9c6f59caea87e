"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Role } from "@/lib/auth/roles";
import type { UserView } from "@/lib/users/list-users";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

/** Everyone with an account, as an admin sees them on the People page. */
export function usePeople(initialData: UserView[]) {
  return useQuery({
    queryKey: queryKeys.people(),
    queryFn: ({ signal }) => apiFetch<UserView[]>("/api/users", { signal }),
    initialData,
  });
}

export type PersonAction =
  { kind: "role"; role: Role } | { kind: "disable" } | { kind: "enable" } | { kind: "reset-password" } | { kind: "end-sessions" };

/** What a people action answers: the person as they are now, and a one-time password after a reset. */
export interface PersonActionResult {
  user: UserView;
  oneTimePassword?: string;
}

/** One admin action on one person; the list is refreshed whatever the outcome. */
export function usePersonAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId, action }: { userId: string; action: PersonAction }): Promise<PersonActionResult> => {
      const path = `/api/users/${userId}/${action.kind}`;
      if (action.kind === "role") return { user: await apiFetch<UserView>(path, { method: "POST", body: { role: action.role } }) };
      if (action.kind === "reset-password") return apiFetch<{ user: UserView; oneTimePassword: string }>(path, { method: "POST" });
      return { user: await apiFetch<UserView>(path, { method: "POST" }) };
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.people() }),
  });
}

/** Adds a person; the answer holds their one-time password, shown once. */
export function useAddPerson() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; name?: string; role: Role }) =>
      apiFetch<{ user: UserView; oneTimePassword: string }>("/api/users", { method: "POST", body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.people() }),
  });
}
