import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import { auditActionLabel, auditSubject } from "@/lib/audit/audit-labels";
import Link from "next/link";
import { AnonymousFailuresSummary } from "@/components/audit/anonymous-failures-summary";
import { AuditFilters } from "@/components/audit/audit-filters";
import { Badge, type Tone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, hrefWith, type SearchParams } from "@/components/ui/pagination";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { listAnonymousFailures } from "@/lib/audit/list-anonymous-failures";
import { listAuditActions, listAuditEvents, ListAuditEventsInput } from "@/lib/audit/list-audit-events";
import { pageContext } from "@/lib/http/page-context";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const OUTCOME_TONE: Record<string, Tone> = { ok: "success", denied: "danger", unauthenticated: "warning", failed: "danger" };

/** Anonymous failures (counted per hour, not audited one by one) shown above the events. */
const ANONYMOUS_HOURS = 24;

/** The form sends ISO 8601 instants; an older link's time without a zone is read as UTC. */
const asUtc = (v: string | undefined) => (v && !/[zZ]|[+-]\d\d:\d\d$/.test(v) ? `${v}Z` : v);

function AuditSubject({ type, id }: { type: string | null; id: string | null }) {
  const subject = auditSubject(type, id);
  if (!subject) return <>—</>;
  return subject.href ? (
    <Link href={subject.href} className="text-accent-text underline-offset-2 hover:underline">
      {subject.label}
    </Link>
  ) : (
    <>{subject.label}</>
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await pageContext("viewer");
  const params = await searchParams;
  const values = {
    actor: firstParam(params.actor),
    action: firstParam(params.action),
    outcome: firstParam(params.outcome),
    from: asUtc(firstParam(params.from)),
    to: asUtc(firstParam(params.to)),
  };
  const parsed = ListAuditEventsInput.safeParse({
    ...values,
    before: firstParam(params.before),
  });
  const errors: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0])] = issue.message;

  const [page, actions, anonymous] = await Promise.all([
    parsed.success ? listAuditEvents({ ctx, input: parsed.data }) : Promise.resolve({ events: [], nextBefore: null }),
    listAuditActions({ ctx }),
    listAnonymousFailures({ ctx, input: { hours: ANONYMOUS_HOURS, limit: 100 } }),
  ]);
  const filtered = Object.values(values).some(Boolean);

  return (
    <>
      <PageHeader
        title="Audit"
        description="Every sign-in, denied request, restore, verification and change — append-only, newest first."
      />
      <AuditFilters values={values} actions={actions} errors={errors} />
      <AnonymousFailuresSummary summary={anonymous} hours={ANONYMOUS_HOURS} />
      {page.events.length === 0 ? (
        <EmptyState icon={<ScrollText />} title={filtered ? "No events match these filters" : "No audit events yet"}>
          <p>{filtered ? "Widen the time range or clear a filter." : "Events appear here as people sign in and act."}</p>
        </EmptyState>
      ) : (
        <>
          <Table caption="Audit events, newest first" captionHidden>
            <THead>
              <Tr>
                <Th>Time</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Outcome</Th>
                <Th>Subject</Th>
                <Th>Details</Th>
              </Tr>
            </THead>
            <TBody>
              {page.events.map((event) => (
                <Tr key={event.id}>
                  <Td className="whitespace-nowrap">
                    <Time value={event.at} />
                  </Td>
                  <Td>{event.actorEmail}</Td>
                  <Td>
                    {auditActionLabel(event.action)}
                    <div className="font-mono text-xs text-muted">{event.action}</div>
                  </Td>
                  <Td>
                    <Badge tone={OUTCOME_TONE[event.outcome] ?? "neutral"}>{event.outcome}</Badge>
                  </Td>
                  <Td wrap className="max-w-56 text-xs [overflow-wrap:anywhere]">
                    <AuditSubject type={event.subjectType} id={event.subjectId} />
                  </Td>
                  <Td>
                    <details>
                      <summary className="cursor-pointer text-xs text-muted">payload · request {event.requestId}</summary>
                      <pre className="mt-2 max-w-xl overflow-x-auto rounded bg-subtle p-2 text-xs">
                        {JSON.stringify(event.payload, null, 2)}
                      </pre>
                    </details>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination
            label="Audit event pages"
            previousHref={params.before ? hrefWith("/audit", params, { before: null }) : null}
            previousLabel="Newest"
            nextHref={page.nextBefore ? hrefWith("/audit", params, { before: page.nextBefore }) : null}
            nextLabel="Older"
          />
        </>
      )}
    </>
  );
}
