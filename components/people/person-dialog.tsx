"use client";

import { Ban, CircleCheck, KeyRound, LogOut, ShieldCheck } from "lucide-react";
import { signOut } from "next-auth/react";
import { useId, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Select } from "@/components/ui/select";
import { ROLES, hasRole, type Role } from "@/lib/auth/roles";
import { usePersonAction, type PersonAction } from "@/lib/client/use-people";
import type { UserView } from "@/lib/users/list-users";
import { LinkSsoIdentityForm } from "./link-sso-identity-form";
import { OneTimePassword } from "./one-time-password";
import { ROLE_HELP } from "./people-copy";

/** "an admin", "an operator", "a viewer". */
const withArticle = (role: Role) => `${/^[aeiou]/.test(role) ? "an" : "a"} ${role}`;

type Step = { view: "overview" } | { view: "confirm"; action: PersonAction } | { view: "password"; email: string; password: string };

function confirmCopy(
  person: UserView,
  action: PersonAction,
  isSelf: boolean,
): { title: string; body: ReactNode; confirm: string; danger: boolean } {
  const who = person.name ?? person.email;
  switch (action.kind) {
    case "role": {
      const demotion = !hasRole(action.role, person.role);
      return {
        title: `Make ${who} ${withArticle(action.role)}?`,
        body: (
          <>
            <p>{ROLE_HELP[action.role]}</p>
            <p className="mt-2">
              {isSelf ? "Your" : "Their"} sessions end now; {isSelf ? "you" : "they"} sign in again to continue with the new role.
              {person.authProvider === "oidc" && " A role mapping from single sign-on may set it again at their next sign-in."}
            </p>
          </>
        ),
        confirm: `Make ${action.role}`,
        danger: demotion,
      };
    }
    case "disable":
      return {
        title: `Disable ${who}?`,
        body: <p>They can&apos;t sign in, and every session they hold ends at its next request. You can enable them again later.</p>,
        confirm: "Disable",
        danger: true,
      };
    case "enable":
      return {
        title: `Enable ${who}?`,
        body: <p>They can sign in again with their current password or single sign-on.</p>,
        confirm: "Enable",
        danger: false,
      };
    case "reset-password":
      return {
        title: `Reset the password of ${who}?`,
        body: (
          <p>
            Their current password stops working and their sessions end. You get a one-time password to hand them; they choose their own at
            next sign-in.
          </p>
        ),
        confirm: "Reset password",
        danger: true,
      };
    case "end-sessions":
      return {
        title: `End all sessions of ${who}?`,
        body: (
          <p>
            {isSelf ? "You are" : "They are"} signed out on every device at the next request, and must sign in again. Nothing else changes.
          </p>
        ),
        confirm: "End sessions",
        danger: true,
      };
  }
}

/** One person's actions, each behind a confirmation; a reset shows the new one-time password once. */
/** Single sign-on as the People page knows it: the provider's name and this person's linked identity. */
export interface PersonSso {
  providerName: string;
  identity: { subject: string; email: string | null } | null;
}

export function PersonDialog({
  person,
  isSelf,
  open,
  onClose,
  sso,
}: {
  person: UserView;
  isSelf: boolean;
  open: boolean;
  onClose: () => void;
  sso?: PersonSso;
}) {
  const [step, setStep] = useState<Step>({ view: "overview" });
  const [role, setRole] = useState<Role>(person.role);
  const [notice, setNotice] = useState<string | null>(null);
  const action = usePersonAction();
  const roleId = useId();

  const close = () => {
    setStep({ view: "overview" });
    setRole(person.role);
    setNotice(null);
    action.reset();
    onClose();
  };
  const back = () => {
    action.reset();
    setStep({ view: "overview" });
  };
  const confirm = (act: PersonAction) => {
    setNotice(null);
    action.reset();
    setStep({ view: "confirm", action: act });
  };
  const run = (act: PersonAction) => {
    if (action.isPending) return;
    action.mutate(
      { userId: person.id, action: act },
      {
        onSuccess: (result) => {
          // Your own sessions just ended (role change, "end all sessions", reset): sign in again.
          if (isSelf && act.kind !== "enable" && act.kind !== "disable") {
            void signOut({ callbackUrl: "/signin" });
            return;
          }
          if (result.oneTimePassword) {
            setStep({ view: "password", email: result.user.email, password: result.oneTimePassword });
            return;
          }
          const done: Record<PersonAction["kind"], string> = {
            role: `${result.user.email} is now ${withArticle(result.user.role)}; their sessions ended.`,
            disable: `${result.user.email} is disabled.`,
            enable: `${result.user.email} is enabled.`,
            "reset-password": "",
            "end-sessions": `Every session of ${result.user.email} has ended.`,
          };
          setNotice(done[act.kind]);
          setStep({ view: "overview" });
        },
      },
    );
  };

  let title: ReactNode = person.name ?? person.email;
  let description: ReactNode = person.name ? person.email : undefined;
  let body: ReactNode;
  let footer: ReactNode;

  if (step.view === "password") {
    title = "New one-time password";
    description = undefined;
    body = <OneTimePassword email={step.email} password={step.password} />;
    footer = (
      <Button key="done" variant="primary" onClick={close}>
        Done, I have passed it on
      </Button>
    );
  } else if (step.view === "confirm") {
    const copy = confirmCopy(person, step.action, isSelf);
    title = copy.title;
    description = undefined;
    body = (
      <div className="space-y-3">
        <div className="text-pretty">{copy.body}</div>
        {action.error && (
          <p role="alert" className="text-sm font-medium text-danger-text">
            {action.error.message}
          </p>
        )}
      </div>
    );
    footer = (
      <>
        <Button key="back" onClick={back}>
          Back
        </Button>
        <Button
          key="confirm"
          variant={copy.danger ? "danger" : "primary"}
          loading={action.isPending}
          onClick={() => run(step.action)}
          autoFocus
        >
          {copy.confirm}
        </Button>
      </>
    );
  } else {
    body = (
      <div className="space-y-5">
        {notice && (
          <p role="status" className="flex items-start gap-2 rounded-md bg-success-soft px-3 py-2 text-success-text">
            <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0" />
            {notice}
          </p>
        )}
        <section aria-labelledby={`${roleId}-heading`} className="space-y-2">
          <h3 id={`${roleId}-heading`} className="font-medium">
            Role
          </h3>
          <div className="flex flex-wrap gap-2">
            <label htmlFor={roleId} className="sr-only">
              New role
            </label>
            <Select
              id={roleId}
              aria-describedby={`${roleId}-hint`}
              className="min-w-40 flex-1"
              value={role}
              disabled={person.disabled}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                  {r === person.role ? " (current)" : ""}
                </option>
              ))}
            </Select>
            <Button
              icon={<ShieldCheck aria-hidden />}
              disabled={role === person.role || person.disabled}
              onClick={() => confirm({ kind: "role", role })}
            >
              Change role
            </Button>
          </div>
          <p id={`${roleId}-hint`} className="text-xs text-muted">
            {person.disabled ? "Enable them to change their role." : ROLE_HELP[role]}
          </p>
        </section>
        <ActionRow
          title="Sessions"
          text={isSelf ? "Sign yourself out everywhere, this browser included." : "Sign them out on every device."}
          button={
            <Button icon={<LogOut aria-hidden />} disabled={person.disabled} onClick={() => confirm({ kind: "end-sessions" })}>
              End all sessions
            </Button>
          }
        />
        {person.authProvider === "credentials" && (
          <ActionRow
            title="Password"
            text="Replace it with a one-time password they must change at next sign-in."
            button={
              <Button icon={<KeyRound aria-hidden />} onClick={() => confirm({ kind: "reset-password" })}>
                Reset password
              </Button>
            }
          />
        )}
        <ActionRow
          title="Access"
          text={
            person.disabled
              ? "Disabled: they can't sign in."
              : isSelf
                ? "You can't disable your own account; another admin can."
                : "Disabling stops sign-in and ends their sessions."
          }
          button={
            person.disabled ? (
              <Button icon={<CircleCheck aria-hidden />} onClick={() => confirm({ kind: "enable" })}>
                Enable
              </Button>
            ) : (
              !isSelf && (
                <Button variant="danger" icon={<Ban aria-hidden />} onClick={() => confirm({ kind: "disable" })}>
                  Disable
                </Button>
              )
            )
          }
        />
        {sso && <LinkSsoIdentityForm userId={person.id} email={person.email} identity={sso.identity} providerName={sso.providerName} />}
      </div>
    );
    footer = (
      <Button key="close" onClick={close}>
        Close
      </Button>
    );
  }

  return (
    <Dialog open={open} onClose={close} title={title} description={description} footer={footer} dismissible={step.view === "overview"}>
      {body}
    </Dialog>
  );
}

function ActionRow({ title, text, button }: { title: string; text: string; button: ReactNode }) {
  return (
    <section className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-t border-border pt-4">
      <div className="min-w-0 flex-1 basis-56">
        <h3 className="font-medium">{title}</h3>
        <p className="text-muted">{text}</p>
      </div>
      {button}
    </section>
  );
}
