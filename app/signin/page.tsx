import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthPageFrame } from "@/components/auth/auth-page-frame";
import { SignInForm } from "@/components/auth/sign-in-form";
import { oidcRefusalMessage } from "@/lib/auth/oidc-policy";
import { hasPageSession, singleSignOn } from "@/lib/auth/page-session";
import { parseThrottledError, throttledMessage } from "@/lib/auth/sign-in-throttled-error";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const ORIGIN = "http://restore-console.invalid";

/** Only a path on this site: anything else (other hosts, `//host`, `/\host`) falls back to "/". */
function safeCallbackUrl(value: string | undefined): string {
  if (!value?.startsWith("/")) return "/";
  const url = new URL(value, ORIGIN);
  if (url.origin !== ORIGIN || url.pathname.startsWith("/signin")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** next-auth's `?error=` codes, in words that say what to do. */
function errorMessage(code: string | undefined, ssoName: string | undefined, reason: string | undefined): string | null {
  switch (code) {
    case "OidcRefused":
      // A refused single sign-on, with its reason (already audited when it was refused).
      return oidcRefusalMessage(reason, ssoName);
    case undefined:
      return null;
    case "CredentialsSignin":
      return "Email or password is incorrect.";
    case "AccessDenied":
      return "This account may not sign in. Ask an admin to check that it exists and is enabled.";
    case "SessionRequired":
      return "Sign in to continue.";
    case "OAuthSignin":
    case "OAuthCallback":
    case "OAuthCreateAccount":
    case "OAuthAccountNotLinked":
    case "Callback":
      return `Sign-in with ${ssoName ?? "single sign-on"} did not complete. Try again, or use your email and password.`;
    default: {
      const wait = parseThrottledError(code);
      return wait !== null ? throttledMessage(wait) : "Sign-in failed. Try again; if it keeps failing, tell an admin.";
    }
  }
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl));
  // The database decides, as on every page: a disabled, revoked or expired token stays here (no redirect loop).
  if (await hasPageSession()) redirect(callbackUrl);
  const sso = singleSignOn();

  return (
    <AuthPageFrame tagline="Guided PostgreSQL restores, backup checks and incident checklists.">
      <h1 className="mb-4 text-base font-semibold">Sign in</h1>
      <SignInForm
        callbackUrl={callbackUrl}
        sso={sso}
        initialError={errorMessage(firstParam(params.error), sso?.name, firstParam(params.reason))}
      />
    </AuthPageFrame>
  );
}
