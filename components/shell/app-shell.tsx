import { DatabaseBackup } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import type { SessionUser } from "@/lib/auth/roles";
import { cx } from "@/components/ui/cx";
import { DisplayZoneProvider } from "@/components/ui/display-zone";
import { MobileNav, Nav } from "./nav";
import { ThemeToggle } from "./theme-toggle";
import { TimeZoneMenu } from "./time-zone-menu";
import { UserMenu } from "./user-menu";

function Brand({ className }: { className?: string }) {
  return (
    <Link href="/" className={cx("flex shrink-0 items-center gap-2 rounded-md font-semibold tracking-tight whitespace-nowrap", className)}>
      <span className="flex size-7 items-center justify-center rounded-md bg-accent text-accent-fg">
        <DatabaseBackup aria-hidden className="size-4" />
      </span>
      {/* Phones keep the mark only, so the top bar fits on one line. */}
      <span className="max-sm:sr-only">Restore Console</span>
    </Link>
  );
}

/** Sidebar, top bar and the main landmark around every signed-in page. */
export function AppShell({ user, timeZone, children }: { user: SessionUser; timeZone: string | null; children: ReactNode }) {
  return (
    <DisplayZoneProvider preference={timeZone}>
      <a
        href="#main"
        className="fixed top-3 left-3 z-50 -translate-y-20 rounded-md bg-accent px-3 py-2 font-medium text-accent-fg shadow-lg focus:translate-y-0"
      >
        Skip to content
      </a>
      <div className="min-h-dvh lg:grid lg:grid-cols-[14rem_minmax(0,1fr)]">
        {/* The column carries the background to the page's full height; the sidebar inside stays in view. */}
        <div className="hidden border-r border-border bg-surface lg:block">
          <aside className="sticky top-0 flex h-dvh flex-col gap-4 overflow-y-auto px-3 py-4">
            <Brand className="px-1.5" />
            <Nav />
          </aside>
        </div>
        <div className="flex min-w-0 flex-col">
          <header className="sticky top-0 z-20 flex h-14 items-center gap-2 border-b border-border bg-surface px-3 sm:px-4 lg:px-8">
            <MobileNav />
            <Brand className="lg:hidden" />
            <div className="ml-auto flex min-w-0 items-center gap-2 sm:gap-3">
              <TimeZoneMenu />
              <ThemeToggle />
              <UserMenu user={user} />
            </div>
          </header>
          <main id="main" tabIndex={-1} className="flex-1 px-4 py-6 outline-none lg:px-8">
            <div className="mx-auto max-w-7xl">{children}</div>
          </main>
        </div>
      </div>
    </DisplayZoneProvider>
  );
}
