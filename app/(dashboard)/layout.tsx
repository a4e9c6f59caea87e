import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requirePageSession } from "@/lib/auth/page-session";

// Every page here depends on who is signed in (and the database's view of their role).
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user, timeZone } = await requirePageSession();
  return (
    <AppShell user={user} timeZone={timeZone}>
      {children}
    </AppShell>
  );
}
