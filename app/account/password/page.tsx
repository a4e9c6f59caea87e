import { DatabaseBackup } from "lucide-react";
import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/people/change-password-form";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { Card } from "@/components/ui/card";
import { requirePasswordPageUser } from "@/lib/auth/page-session";

export const metadata: Metadata = { title: "Choose your password" };
export const dynamic = "force-dynamic";

/** Outside the dashboard: a person holding a one-time password is sent here until they choose their own. */
export default async function ChangePasswordPage() {
  const { user, passwordChangeRequired } = await requirePasswordPageUser();
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
        </div>
        <Card padding="lg">
          <h1 className="text-base font-semibold">{passwordChangeRequired ? "Choose your password" : "Change your password"}</h1>
          <p className="mt-1 mb-4 text-muted">
            {passwordChangeRequired
              ? `You signed in as ${user.email} with a one-time password. Choose your own to continue.`
              : `Signed in as ${user.email}.`}{" "}
            Every session you hold ends afterwards, so you sign in again with the new one.
          </p>
          <ChangePasswordForm oneTime={passwordChangeRequired} />
        </Card>
      </div>
    </main>
  );
}
