import type { Metadata } from "next";
import { AuthPageFrame } from "@/components/auth/auth-page-frame";
import { ChangePasswordForm } from "@/components/people/change-password-form";
import { requirePasswordPageUser } from "@/lib/auth/page-session";

export const metadata: Metadata = { title: "Choose your password" };
export const dynamic = "force-dynamic";

/** Outside the dashboard: a person holding a one-time password is sent here until they choose their own. */
export default async function ChangePasswordPage() {
  const { user, passwordChangeRequired } = await requirePasswordPageUser();
  return (
    <AuthPageFrame>
      <h1 className="text-base font-semibold">{passwordChangeRequired ? "Choose your password" : "Change your password"}</h1>
      <p className="mt-1 mb-4 text-muted">
        {passwordChangeRequired
          ? `You signed in as ${user.email} with a one-time password. Choose your own to continue.`
          : `Signed in as ${user.email}.`}{" "}
        Every session you hold ends afterwards, so you sign in again with the new one.
      </p>
      <ChangePasswordForm oneTime={passwordChangeRequired} />
    </AuthPageFrame>
  );
}
