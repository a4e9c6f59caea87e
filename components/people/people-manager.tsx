"use client";

import { Search, Settings2, Users } from "lucide-react";
import { useId, useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { Time } from "@/components/ui/time";
import type { Role } from "@/lib/auth/roles";
import { usePeople } from "@/lib/client/use-people";
import type { UserView } from "@/lib/users/list-users";
import { PersonDialog } from "./person-dialog";

const ROLE_TONE: Record<Role, Tone> = { viewer: "neutral", operator: "info", admin: "warning" };

function status(person: UserView): { label: string; tone: Tone } {
  if (person.disabled) return { label: "Disabled", tone: "danger" };
  if (person.passwordChangeRequired) return { label: "Must set password", tone: "warning" };
  return { label: "Active", tone: "success" };
}

const COLUMNS = "xl:grid-cols-[minmax(0,1fr)_6rem_6rem_10rem_10rem_7rem]";

/** The People list: role, source, last sign-in and status of everyone, each with a Manage dialog. */
export function PeopleManager({
  initialPeople,
  currentUserId,
  sso,
}: {
  initialPeople: UserView[];
  currentUserId: string;
  /** Present when single sign-on is configured: each person's linked identity, by id. */
  sso?: { providerName: string; identities: Record<string, { subject: string; email: string | null }> };
}) {
  const people = usePeople(initialPeople);
  const [filter, setFilter] = useState("");
  const [managing, setManaging] = useState<string | null>(null);
  const searchId = useId();

  const needle = filter.trim().toLowerCase();
  const shown = people.data.filter((p) => !needle || p.email.includes(needle) || (p.name ?? "").toLowerCase().includes(needle));
  const managed = people.data.find((p) => p.id === managing) ?? null;
  const activeAdmins = people.data.filter((p) => p.role === "admin" && !p.disabled).length;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <div className="relative w-full max-w-xs">
          <label htmlFor={searchId} className="sr-only">
            Find a person
          </label>
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted" />
          <Input
            id={searchId}
            type="search"
            placeholder="Find by name or email"
            className="pl-8"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        <p className="text-muted" aria-live="polite">
          {people.isFetching ? (
            <span className="inline-flex items-center gap-1.5">
              <Spinner /> Refreshing…
            </span>
          ) : (
            `${people.data.length} ${people.data.length === 1 ? "person" : "people"}, ${activeAdmins} active ${activeAdmins === 1 ? "admin" : "admins"}`
          )}
        </p>
      </div>

      {people.isError && (
        <ErrorState
          title="Could not refresh the list"
          message={`${people.error.message} The list below may be out of date.`}
          action={<Button onClick={() => void people.refetch()}>Try again</Button>}
        />
      )}

      {shown.length === 0 ? (
        <EmptyState icon={<Users />} title={needle ? "No one matches" : "No people yet"}>
          <p>{needle ? "Try part of the email or name, or clear the search." : "Add a person to give them access."}</p>
        </EmptyState>
      ) : (
        <div className="rounded-lg border border-border bg-surface">
          <div
            aria-hidden
            className={`hidden gap-4 border-b border-border bg-subtle px-4 py-2 text-xs font-medium text-muted xl:grid ${COLUMNS}`}
          >
            <span>Person</span>
            <span>Role</span>
            <span>Source</span>
            <span>Last sign-in</span>
            <span>Status</span>
            <span />
          </div>
          <ul aria-label="People" className="divide-y divide-border">
            {shown.map((person) => {
              const s = status(person);
              const isSelf = person.id === currentUserId;
              return (
                <li key={person.id} className={`grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-4 gap-y-2 px-4 py-3 ${COLUMNS}`}>
                  <div className="min-w-0">
                    <p className="truncate font-medium" title={person.name ?? person.email}>
                      {person.name ?? person.email}
                      {isSelf && <span className="ml-1.5 font-normal text-muted">(you)</span>}
                    </p>
                    {person.name && (
                      <p className="truncate text-muted" title={person.email}>
                        {person.email}
                      </p>
                    )}
                  </div>
                  <dl className="col-span-2 row-start-2 grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4 xl:col-span-4 xl:col-start-2 xl:row-start-1 xl:grid-cols-[6rem_6rem_10rem_10rem]">
                    <div>
                      <dt className="text-xs text-muted xl:sr-only">Role</dt>
                      <dd>
                        <Badge tone={ROLE_TONE[person.role]}>{person.role}</Badge>
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-muted xl:sr-only">Source</dt>
                      <dd>{person.authProvider === "oidc" ? "SSO" : "Password"}</dd>
                    </div>
                    <div>
                      <dt className="text-xs text-muted xl:sr-only">Last sign-in</dt>
                      <dd>
                        {person.lastSignInAt ? <Time value={person.lastSignInAt} relative /> : <span className="text-muted">Never</span>}
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-muted xl:sr-only">Status</dt>
                      <dd>
                        <Badge tone={s.tone}>{s.label}</Badge>
                      </dd>
                    </div>
                  </dl>
                  <div className="col-start-2 row-start-1 justify-self-end xl:col-start-6">
                    <Button size="sm" icon={<Settings2 aria-hidden />} onClick={() => setManaging(person.id)} aria-haspopup="dialog">
                      Manage<span className="sr-only"> {person.email}</span>
                    </Button>
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {managed && (
        <PersonDialog
          key={managed.id}
          person={managed}
          isSelf={managed.id === currentUserId}
          open
          onClose={() => setManaging(null)}
          {...(sso ? { sso: { providerName: sso.providerName, identity: sso.identities[managed.id] ?? null } } : {})}
        />
      )}
    </div>
  );
}
