import type { Metadata } from "next";
import { EnvironmentSettingsCard } from "@/components/settings/environment-settings-card";
import { SectionFacts } from "@/components/settings/fact-list";
import { SimulatedOutageControl } from "@/components/settings/simulated-outage-control";
import { AddressText } from "@/components/ui/address-text";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { describeConfig } from "@/lib/config/describe-config";
import { loadConfig } from "@/lib/config/load-config";
import { findSimulatedOutage } from "@/lib/demo/get-simulated-outage";
import { getEnv, oidcSettings } from "@/lib/env";
import { getHealth } from "@/lib/health/get-health";
import { pageContext } from "@/lib/http/page-context";
import { environmentSettings, signInSection } from "@/lib/settings/settings-view";
import { listUsers } from "@/lib/users/list-users";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  // Described: from here on, every secret is only its reference (env NAME or file PATH).
  const config = describeConfig(loadConfig());
  const [health, users, outage] = await Promise.all([
    getHealth({ ctx }),
    hasRole(user.role, "admin") ? listUsers({ ctx }) : Promise.resolve(null),
    // Only where the demo runs; it belongs to the demo environment's card.
    findSimulatedOutage(),
  ]);
  const now = new Date();
  const env = getEnv();
  const signIn = signInSection(oidcSettings(env), env.SESSION_LIFETIME_HOURS);

  return (
    <>
      <PageHeader
        title="Settings"
        description={
          <>
            Read-only: the configuration loaded from <AddressText value={config.source} />. Secrets show only where they come from.
          </>
        }
      />
      <div className="space-y-6">
        <Card as="section" padding="none">
          <CardHeader title="System" description="The app's own database and the worker that runs restores, drills and checks." />
          <CardBody>
            <dl className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,12rem),1fr))] gap-x-6 gap-y-3">
              <div>
                <dt className="text-xs text-muted">App database</dt>
                <dd>
                  {health.database.ok ? (
                    <Badge tone="success">reachable · {health.database.latencyMs} ms</Badge>
                  ) : (
                    <Badge tone="danger">unreachable</Badge>
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-muted">Worker</dt>
                <dd>
                  {health.worker.ok ? (
                    <Badge tone="success">running · {health.worker.activeWorkers} active</Badge>
                  ) : (
                    <Badge tone="danger">not running</Badge>
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-muted">Last worker heartbeat</dt>
                <dd>{health.worker.lastBeatAt ? <Time value={health.worker.lastBeatAt} relative /> : "never"}</dd>
              </div>
            </dl>
          </CardBody>
        </Card>

        {config.environments.map((environment) => (
          <EnvironmentSettingsCard
            key={environment.name}
            settings={environmentSettings(environment, { defaultEnvironment: config.defaultEnvironment, now })}
            raw={environment}
            controls={
              outage?.environment === environment.name && (
                <SimulatedOutageControl initial={outage} canControl={hasRole(user.role, "operator")} />
              )
            }
          />
        ))}

        <Card as="section" padding="none">
          <CardHeader title={signIn.title} description={signIn.summary} />
          <CardBody>
            <SectionFacts section={signIn} />
          </CardBody>
        </Card>

        {users && (
          <Card as="section" padding="none">
            <CardHeader
              title="People"
              description={
                <>
                  Add people with <code className="font-mono">npm run user:create -- --email … --role viewer|operator|admin</code> or POST
                  /api/users.
                </>
              }
              actions={
                <ButtonLink href="/people" size="sm">
                  Manage people
                </ButtonLink>
              }
            />
            <Table caption="People who can sign in" captionHidden embedded>
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
