"use client";

import { Ban, KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SecretValue } from "@/components/ui/secret-value";
import { Select } from "@/components/ui/select";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from "@/lib/client/use-api-tokens";
import { API_TOKEN_DAYS, API_TOKEN_ROLES, type ApiTokenView } from "@/lib/users/api-token-model";

const STATE_TONES: Record<ApiTokenView["state"], Tone> = { active: "success", expired: "neutral", revoked: "danger" };

/**
 * API tokens for automation (a CI job starting a restore, a scraper reading metrics): created
 * here with a role and an expiry, their secret shown once, revoked at will. Admins only.
 */
export function ApiTokensPanel({ initialTokens }: { initialTokens: ApiTokenView[] }) {
  const tokens = useApiTokens(initialTokens);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  const revoke = useRevokeApiToken();
  const list = tokens.data;

  return (
    <section aria-labelledby="api-tokens-title">
      <Card padding="none">
        <CardHeader
          title={<span id="api-tokens-title">API tokens</span>}
          description={
            <>
              For automation without a browser: send <code className="font-mono">Authorization: Bearer rct_…</code>. A token acts with its
              own role (viewer or operator) and is audited under its name as <code className="font-mono">token:&lt;name&gt;</code>.
            </>
          }
          actions={
            <Button size="sm" icon={<Plus aria-hidden />} onClick={() => setCreating(true)}>
              New token
            </Button>
          }
        />
        <CardBody>
          {list.length === 0 ? (
            <p className="text-sm text-muted">No tokens yet. Create one for each job that calls the API, so each can be revoked alone.</p>
          ) : (
            <Table caption="API tokens" captionHidden embedded>
              <THead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Role</Th>
                  <Th>State</Th>
                  <Th>Expires</Th>
                  <Th>Last used</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </Tr>
              </THead>
              <TBody>
                {list.map((token) => (
                  <Tr key={token.id} data-token={token.name}>
                    <Td wrap>
                      <span className="font-medium">{token.name}</span>
                      <span className="block text-xs text-muted">
                        <span className="font-mono">{token.prefix}…</span> · by {token.createdByEmail},{" "}
                        <Time value={token.createdAt} relative />
                      </span>
                    </Td>
                    <Td>{token.role}</Td>
                    <Td>
                      <Badge tone={STATE_TONES[token.state]}>{token.state}</Badge>
                    </Td>
                    <Td>
                      <Time value={token.expiresAt} />
                    </Td>
                    <Td>{token.lastUsedAt ? <Time value={token.lastUsedAt} relative /> : <span className="text-muted">never</span>}</Td>
                    <Td>
                      {token.state === "active" && (
                        <Button size="sm" variant="ghost" icon={<Ban aria-hidden />} onClick={() => setRevoking(token)}>
                          Revoke<span className="sr-only"> {token.name}</span>
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardBody>
      </Card>
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
      {revoking && (
        <Dialog
          open
          onClose={() => setRevoking(null)}
          title={`Revoke ${revoking.name}?`}
          description="Its next request is refused. A job using it stops working until it gets a new token."
          footer={
            <>
              <Button variant="ghost" onClick={() => setRevoking(null)}>
                Keep it
              </Button>
              <Button
                variant="danger"
                loading={revoke.isPending}
                onClick={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
              >
                Revoke
              </Button>
            </>
          }
        >
          {revoke.error && <p className="text-sm text-danger-text">{revoke.error.message}</p>}
        </Dialog>
      )}
    </section>
  );
}

function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateApiToken();
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof API_TOKEN_ROLES)[number]>("viewer");
  const [days, setDays] = useState<number>(90);
  const created = create.data;

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={!created}
      title={created ? `Token ${created.view.name} created` : "New API token"}
      description={created ? undefined : "Name it after the job that will use it."}
      footer={
        created ? (
          <Button variant="primary" onClick={onClose}>
            I have stored it
          </Button>
        ) : (
          <>
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button
              variant="primary"
              icon={<KeyRound aria-hidden />}
              loading={create.isPending}
              disabled={name.trim().length < 3}
              onClick={() => create.mutate({ name: name.trim(), role, expiresInDays: days })}
            >
              Create token
            </Button>
          </>
        )
      }
    >
      {created ? (
        <div className="space-y-3 text-sm">
          <p>
            Store it in the job&apos;s secrets now. It acts as a <strong>{created.view.role}</strong> until{" "}
            <Time value={created.view.expiresAt} />.
          </p>
          <SecretValue label="API token" value={created.token} />
          <p className="text-xs text-muted" role="note">
            Shown once. Only its hash is kept; if it is lost, revoke it and create another.
          </p>
        </div>
      ) : (
        <div className="space-y-4">
          <Field
            id="token-name"
            label="Name"
            hint="e.g. ci-weekly-drill; letters, digits, spaces, dots, dashes"
            error={create.error?.message}
          >
            {(props) => <Input {...props} autoFocus value={name} maxLength={60} onChange={(event) => setName(event.target.value)} />}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="token-role" label="Role" hint="Operators can start restores; viewers only read.">
              {(props) => (
                <Select {...props} value={role} onChange={(event) => setRole(event.target.value === "operator" ? "operator" : "viewer")}>
                  {API_TOKEN_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field id="token-days" label="Expires after">
              {(props) => (
                <Select {...props} value={days} onChange={(event) => setDays(Number(event.target.value))}>
                  {API_TOKEN_DAYS.map((d) => (
                    <option key={d} value={d}>
                      {d} days
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
        </div>
      )}
    </Dialog>
  );
}
