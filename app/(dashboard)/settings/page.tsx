import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ConfigTree } from "@/components/settings/config-tree";
import { hasRole } from "@/lib/auth/roles";
import { describeConfig } from "@/lib/config/describe-config";
import { loadConfig } from "@/lib/config/load-config";
import { getHealth } from "@/lib/health/get-health";
import { pageContext } from "@/lib/http/page-context";
import { listUsers } from "@/lib/users/list-users";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const config = describeConfig(loadConfig());
  const [health, users] = await Promise.all([getHealth({ ctx }), hasRole(user.role, "admin") ? listUsers({ ctx }) : Promise.resolve(null)]);

  return (
    <>
      <PageHeader
        title="Settings"
        description={
          <>
            Read-only: the configuration loaded from <span className="font-mono">{config.source}</span>. Secrets show only where they come
            from.
          </>
        }
      />
      <div className="space-y-6">
        <Card>
          <h2 className="mb-3 text-base font-semibold">System</h2>
          <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-muted">App database</dt>
              <dd>
                {health.database.ok ? (
                  <Badge tone="success">reachable · {health.database.latencyMs} ms</Badge>
                ) : (
                  <Badge tone="danger">unreachable</Badge>
                )}
              </dd>
            </div>
            <div>
              <dt className="text-muted">Worker</dt>
              <dd>
                {health.worker.ok ? (
                  <Badge tone="success">running · {health.worker.activeWorkers} active</Badge>
                ) : (
                  <Badge tone="danger">not running</Badge>
                )}
              </dd>
            </div>
            <div>
              <dt className="text-muted">Last worker heartbeat</dt>
              <dd>{health.worker.lastBeatAt ? <Time value={health.worker.lastBeatAt} relative /> : "never"}</dd>
            </div>
          </dl>
        </Card>

        {config.environments.map((environment) => (
          <Card key={environment.name}>
            <div className="mb-3 flex flex-wrap items-center gap-2">
              <h2 className="text-base font-semibold">{environment.displayName ?? environment.name}</h2>
              <span className="font-mono text-xs text-muted">{environment.name}</span>
              {environment.protected && <Badge tone="warning">protected</Badge>}
              {environment.name === config.defaultEnvironment && <Badge tone="info">default</Badge>}
            </div>
            <ConfigTree value={environment} />
          </Card>
        ))}

        {users && (
          <Card>
            <h2 className="mb-3 text-base font-semibold">People</h2>
            <p className="mb-3 text-sm text-muted">
              Add people with <code className="font-mono">npm run user:create -- --email … --role viewer|operator|admin</code> or POST
              /api/users.
            </p>
            <Table caption="People who can sign in" captionHidden>
              <THead>
                <Tr>
                  <Th>Email</Th>
                  <Th>Role</Th>
                  <Th>Sign-in</Th>
                  <Th>Last sign-in</Th>
                </Tr>
              </THead>
              <TBody>
                {users.map((u) => (
                  <Tr key={u.id}>
                    <Td>
                      {u.email} {u.disabled && <Badge tone="danger">disabled</Badge>}
                    </Td>
                    <Td>
                      <Badge tone={u.role === "admin" ? "warning" : u.role === "operator" ? "info" : "neutral"}>{u.role}</Badge>
                    </Td>
                    <Td>{u.authProvider}</Td>
                    <Td>{u.lastSignInAt ? <Time value={u.lastSignInAt} relative /> : "never"}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </Card>
        )}
      </div>
    </>
  );
}
