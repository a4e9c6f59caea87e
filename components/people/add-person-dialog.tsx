"use client";

import { UserPlus } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { ROLES, type Role } from "@/lib/auth/roles";
import { useAddPerson } from "@/lib/client/use-people";
import { ROLE_HELP } from "./people-copy";
import { OneTimePassword } from "./one-time-password";

/** "Add person": email, name and role; the server makes a one-time password, shown once here. */
export function AddPersonButton() {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const add = useAddPerson();
  const formId = useId();

  const close = () => {
    setOpen(false);
    setEmail("");
    setName("");
    setRole("viewer");
    add.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (add.isPending) return;
    add.mutate({ email: email.trim(), name: name.trim() || undefined, role });
  };
  const created = add.data;

  return (
    <>
      <Button variant="primary" icon={<UserPlus aria-hidden />} onClick={() => setOpen(true)}>
        Add person
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={created ? "Person added" : "Add a person"}
        description={created ? undefined : "They sign in with their email and a one-time password you hand them, then choose their own."}
        dismissible={!created}
        footer={
          created ? (
            <Button key="done" variant="primary" onClick={close}>
              Done, I have passed it on
            </Button>
          ) : (
            <>
              <Button onClick={close}>Cancel</Button>
              <Button variant="primary" type="submit" form={formId} loading={add.isPending}>
                Add person
              </Button>
            </>
          )
        }
      >
        {created ? (
          <OneTimePassword email={created.user.email} password={created.oneTimePassword} />
        ) : (
          <form id={formId} onSubmit={submit} className="space-y-4" noValidate={false}>
            <Field id={`${formId}-email`} label="Email">
              {(p) => (
                <Input
                  {...p}
                  type="email"
                  required
                  autoComplete="off"
                  maxLength={320}
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <Field id={`${formId}-name`} label="Name" hint="Optional; shown instead of the email.">
              {(p) => <Input {...p} autoComplete="off" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field id={`${formId}-role`} label="Role" hint={ROLE_HELP[role]}>
              {(p) => (
                <Select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            {add.error && (
              <p role="alert" className="text-sm font-medium text-danger-text">
                {add.error.message}
              </p>
            )}
          </form>
        )}
      </Dialog>
    </>
  );
}
