import { LayoutDashboard, SearchX } from "lucide-react";
import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-xl items-center px-4">
      <EmptyState
        level={1}
        className="w-full"
        icon={<SearchX />}
        title="Page not found"
        action={
          <ButtonLink href="/" variant="primary" icon={<LayoutDashboard aria-hidden />}>
            Go to Overview
          </ButtonLink>
        }
      >
        <p>The address may be mistyped, or what it pointed to no longer exists.</p>
      </EmptyState>
    </main>
  );
}
