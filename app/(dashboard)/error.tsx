"use client";

import { RotateCw } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/error-state";

// Production builds replace a server error's message with this generic text (only the digest survives).
const REDACTED_PREFIX = "An error occurred in the Server Components render";

function describe(error: unknown): { message: string; digest?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const digest = "digest" in error && typeof error.digest === "string" ? error.digest : undefined;
  const message = error.message.startsWith(REDACTED_PREFIX)
    ? "The server could not build this page. Try again; if it keeps failing, give the reference below to whoever runs Restore Console."
    : error.message;
  return { message, digest };
}

/** Any page under the shell that throws: our errors' messages say what happened and what to do. */
export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  const { message, digest } = describe(error);
  return (
    <ErrorState
      title="This page could not load"
      message={message}
      digest={digest}
      action={
        // retry() fetches the page from the server again; reset() would only re-render the failed result.
        <Button icon={<RotateCw aria-hidden />} onClick={retry}>
          Try again
        </Button>
      }
    />
  );
}
