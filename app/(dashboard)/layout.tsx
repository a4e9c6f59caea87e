import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { pageContext } from "@/lib/http/page-context";
import { readTimeZonePreference } from "@/lib/users/time-zone-preference";

// Every page here depends on who is signed in (and the database's view of their role).
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const ctx = await pageContext();
  const timeZone = await readTimeZonePreference(ctx, ctx.user.id);
  return (
    <AppShell user={ctx.user} timeZone={timeZone}>
      {children}
    </AppShell>
  );
}
