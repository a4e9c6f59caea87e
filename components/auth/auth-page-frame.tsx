import { DatabaseBackup } from "lucide-react";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { Card } from "@/components/ui/card";

/** The frame of the pages outside the dashboard (sign-in, choosing a password): the mark, a card. */
export function AuthPageFrame({ tagline, children }: { tagline?: string; children: ReactNode }) {
  return (
    <main id="main" className="relative flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <span className="mx-auto mb-3 flex size-10 items-center justify-center rounded-lg bg-accent text-accent-fg">
            <DatabaseBackup aria-hidden className="size-5" />
          </span>
          <p className="text-lg font-semibold tracking-tight">Restore Console</p>
          {tagline && <p className="mt-1 text-muted">{tagline}</p>}
        </div>
        <Card padding="lg">{children}</Card>
      </div>
    </main>
  );
}
