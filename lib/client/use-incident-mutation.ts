"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "./query-keys";

/** A change to an incident; afterwards (success or not) the incident is fetched again. */
export function useIncidentMutation<V, R>(incidentId: string, request: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.incident(incidentId) }),
  });
}
