"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider } from "next-auth/react";
import { useLayoutEffect, useState, type ReactNode } from "react";
import { config } from "zod";
import { syncTheme } from "@/components/shell/theme";

// zod compiles object parsers with `new Function` when it may, and probes for that permission
// by trying; under our Content-Security-Policy (no 'unsafe-eval') the probe is a reported
// violation. Parsing in the browser is small: use the interpreter there (the server keeps the JIT).
if (typeof window !== "undefined") config({ jitless: true });

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Fresh for 10 s: navigating back and forth reuses data instead of refetching it.
        staleTime: 10_000,
        // Live views poll with refetchInterval; focus refetches would stampede every query at once.
        refetchOnWindowFocus: false,
        retry: 1,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser session (not per render, not shared between server requests).
  const [queryClient] = useState(makeQueryClient);
  useLayoutEffect(syncTheme, []);
  return (
    // Pages get the user from the server; the session endpoint need not be polled on focus.
    <SessionProvider refetchOnWindowFocus={false}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </SessionProvider>
  );
}
