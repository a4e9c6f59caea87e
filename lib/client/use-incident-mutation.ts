"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { incidentKeys } from "./use-incident";

/** A change to an incident; afterwards (success or not) the incident is fetched again. */
export function useIncidentMutation<V, R>(incidentId: string, request: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => queryClient.invalidateQueries({ queryKey: incidentKeys.detail(incidentId) }),
  });
}
