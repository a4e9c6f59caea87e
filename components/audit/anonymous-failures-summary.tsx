import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { AnonymousFailureSummary } from "@/lib/audit/list-anonymous-failures";

const KIND_LABEL: Record<string, string> = {
  "sign_in.unknown_account": "Sign-in, no such account",
  "sign_in.throttled": "Sign-in throttled",
  "api.unauthenticated": "API call without a session",
  "api.csrf_refused": "Cross-site request refused",
  "api.token_refused": "API token unknown, expired or revoked",
};

const label = (kind: string) => KIND_LABEL[kind] ?? kind;

/**
 * Failures nobody can be held to account for, counted per hour instead of one audit row each:
 * totals for the period and the busiest sources behind them.
 */
export function AnonymousFailuresSummary({ summary, hours }: { summary: AnonymousFailureSummary; hours: number }) {
  const total = summary.totals.reduce((sum, t) => sum + t.count, 0);
  return (
    <Card as="section" padding="none" className="mb-6">
      <CardHeader
        title="Anonymous failures"
        description={`Last ${hours} h, counted per hour: sign-ins for emails without an account, throttled sign-ins and requests without a session. Failures of a known account are listed below as events.`}
      />
      {total === 0 ? (
        <CardBody>
          <p className="text-muted">None in the last {hours} h.</p>
        </CardBody>
      ) : (
        <>
          <CardBody>
            <ul className="flex flex-wrap gap-x-6 gap-y-1">
              {summary.totals.map((t) => (
                <li key={t.kind}>
                  <span className="font-semibold tabular-nums">{t.count.toLocaleString("en")}</span>{" "}
                  <span className="text-muted">{label(t.kind)}</span>
                </li>
              ))}
            </ul>
          </CardBody>
          <details className="border-t border-border">
            <summary className="cursor-pointer px-4 py-2 text-xs text-muted">Per hour and source ({summary.rows.length} rows)</summary>
            <Table caption="Anonymous failures per hour and source, newest first" captionHidden embedded>
              <THead>
                <Tr>
                  <Th>Hour</Th>
                  <Th>Kind</Th>
                  <Th>Source</Th>
                  <Th>Count</Th>
                  <Th>Last</Th>
                </Tr>
              </THead>
              <TBody>
                {summary.rows.map((row) => (
                  <Tr key={`${row.windowStart} ${row.kind} ${row.source}`}>
                    <Td className="whitespace-nowrap">
                      <Time value={row.windowStart} />
                    </Td>
                    <Td>{label(row.kind)}</Td>
                    <Td mono className="max-w-64 truncate">
                      {row.source}
                    </Td>
                    <Td numeric>{row.count.toLocaleString("en")}</Td>
                    <Td className="whitespace-nowrap">
                      <Time value={row.lastAt} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </details>
        </>
      )}
    </Card>
  );
}
