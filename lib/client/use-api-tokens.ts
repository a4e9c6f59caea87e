"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiTokenView, CreateApiTokenInput } from "@/lib/users/api-token-model";
import { apiFetch } from "./api";
import { queryKeys } from "./query-keys";

export function useApiTokens(initialData: ApiTokenView[]) {
  return useQuery({
    queryKey: queryKeys.apiTokens(),
    queryFn: ({ signal }) => apiFetch<ApiTokenView[]>("/api/tokens", { signal }),
    initialData,
  });
}

/** Creates a token; its secret is in the answer only. */
export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenInput) => apiFetch<{ token: string; view: ApiTokenView }>("/api/tokens", { method: "POST", body }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => apiFetch<ApiTokenView>(`/api/tokens/${tokenId}/revoke`, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}
