import { ListChecks, Siren } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { IncidentStatusBadge, SeverityBadge, VerdictBadge } from "@/components/incidents/incident-badges";
import { IncidentFilters } from "@/components/incidents/incident-filters";
import { LiveIncidentsRefresh } from "@/components/incidents/live-refresh";
import { ButtonLink } from "@/components/ui/button-link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, type SearchParams } from "@/components/ui/pagination";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { loadConfig } from "@/lib/config/load-config";
import { pageContext } from "@/lib/http/page-context";
import type { Verdict } from "@/lib/incidents/measure-objectives";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import { listIncidents, ListIncidentsInput } from "@/lib/incidents/list-incidents";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Incidents" };
export const dynamic = "force-dynamic";

function Measured({ minutes, verdict }: { minutes: number | null; verdict: Verdict }) {
  if (minutes === null) return <span className="text-muted">—</span>;
  return (
    <span className="inline-flex items-center justify-end gap-1.5">
      {formatMinutes(minutes)}
      <VerdictBadge verdict={verdict} />
    </span>
  );
}

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const params = await searchParams;
  const values = {
    environment: firstParam(params.environment),
    severity: firstParam(params.severity),
    status: firstParam(params.status),
    from: firstParam(params.from),
    to: firstParam(params.to),
  };
  const parsed = ListIncidentsInput.safeParse({ ...values, page: firstParam(params.page) });
  const errors: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0])] = issue.message;
  const list = await listIncidents({ ctx, input: parsed.success ? parsed.data : ListIncidentsInput.parse({}) });
  const environments = loadConfig().config.environments.map((e) => e.name);
  const canDeclare = hasRole(user.role, "operator");
  const filtered = Object.values(values).some(Boolean);

  return (
    <>
      <PageHeader
        title="Incidents"
        description="Data-loss incidents with the runbook's recovery checklist, phase timers, a timeline of every step and the measured RTO/RPO."
        actions={
          <>
            <ButtonLink href="/incidents/templates" variant="ghost" icon={<ListChecks aria-hidden />}>
              Checklist template
            </ButtonLink>
            {canDeclare && (
              <ButtonLink href="/incidents/new" variant="danger" icon={<Siren aria-hidden />}>
                Declare incident
              </ButtonLink>
            )}
          </>
        }
      />
      <LiveIncidentsRefresh />
      <IncidentFilters values={values} environments={environments} errors={errors} />
      {list.incidents.length === 0 ? (
        <EmptyState icon={<Siren />} title={filtered ? "No incidents match these filters" : "No incidents declared"}>
          {filtered ? (
            <p>Widen the date range or clear a filter.</p>
          ) : (
            <p>
              Declare one when production data is lost or corrupted: the runbook&apos;s checklist (assess the scope, find the last known
              good time, verify a backup, notify stakeholders) starts with phase timers, and every step lands on a shared timeline.
            </p>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-sm text-muted tabular-nums">
            {list.total.toLocaleString("en")} incident{list.total === 1 ? "" : "s"}
          </p>
          <Table caption="Incidents, newest first" captionHidden>
            <THead>
              <Tr>
                <Th>Started</Th>
                <Th>Title</Th>
                <Th>Severity</Th>
                <Th>Status</Th>
                <Th>Environment</Th>
                <Th numeric>RTO</Th>
                <Th numeric>RPO</Th>
              </Tr>
            </THead>
            <TBody>
              {list.incidents.map((incident) => (
                <Tr key={incident.id} data-incident-title={incident.title}>
                  <Td>
                    <Time value={incident.startedAt} />
                  </Td>
                  <Td className="max-w-96 truncate">
                    <Link
                      href={`/incidents/${incident.id}`}
                      className="font-medium text-accent-text underline-offset-2 hover:underline"
                      title={incident.title}
                    >
                      {incident.title}
                    </Link>
                  </Td>
                  <Td>
                    <SeverityBadge severity={incident.severity} />
                  </Td>
                  <Td>
                    <IncidentStatusBadge status={incident.status} />
                  </Td>
                  <Td mono>{incident.environment}</Td>
                  <Td numeric>
                    <Measured
                      minutes={incident.measurement?.rto.achievedMinutes ?? null}
                      verdict={incident.measurement?.rto.verdict ?? "pending"}
                    />
                  </Td>
                  <Td numeric>
                    <Measured
                      minutes={incident.measurement?.rpo.achievedMinutes ?? null}
                      verdict={incident.measurement?.rpo.verdict ?? "pending"}
                    />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination
            label="Incident pages"
            page={list.page}
            pageCount={list.pageCount}
            href={{ pathname: "/incidents", searchParams: params }}
          />
        </>
      )}
    </>
  );
}
