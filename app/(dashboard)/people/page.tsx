import { ShieldAlert } from "lucide-react";
import type { Metadata } from "next";
import { AddPersonButton } from "@/components/people/add-person-dialog";
import { ApiTokensPanel } from "@/components/people/api-tokens-panel";
import { PeopleManager } from "@/components/people/people-manager";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { hasRole } from "@/lib/auth/roles";
import { listSsoIdentities } from "@/lib/auth/oidc-list-identities";
import { getEnv, oidcSettings } from "@/lib/env";
import { pageContext } from "@/lib/http/page-context";
import { listApiTokens } from "@/lib/users/api-tokens";
import { listUsers } from "@/lib/users/list-users";

export const metadata: Metadata = { title: "People" };
export const dynamic = "force-dynamic";

export default async function PeoplePage() {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  // Said in words here rather than thrown: a production error page would hide the reason.
  if (!hasRole(user.role, "admin")) {
    return (
      <EmptyState icon={<ShieldAlert />} title="People is for admins">
        <p>You are signed in as {user.role}. Ask an admin to change your role or to make the change for you.</p>
      </EmptyState>
    );
  }
  const [people, tokens] = await Promise.all([listUsers({ ctx }), listApiTokens({ ctx })]);
  const oidc = oidcSettings(getEnv());
  const linked = oidc ? await listSsoIdentities({ ctx }) : null;
  const sso =
    oidc && linked
      ? {
          providerName: oidc.name,
          identities: Object.fromEntries(
            [...linked].map(([id, rows]) => [id, { subject: rows[0]?.subject ?? "", email: rows[0]?.email ?? null }]),
          ),
        }
      : undefined;
  return (
    <>
      <PageHeader
        title="People"
        description="Who can sign in, with which role. Every change here is audited; role changes, resets and disabling end the person's sessions at once."
        actions={<AddPersonButton />}
      />
      <div className="space-y-8">
        <PeopleManager initialPeople={people} currentUserId={user.id} {...(sso ? { sso } : {})} />
        <ApiTokensPanel initialTokens={tokens} />
      </div>
    </>
  );
}
