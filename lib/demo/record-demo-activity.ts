import { queryOnce } from "@/lib/providers/postgres/query-once";

// The demo's "production" LoanServe keeps living: one payment on an active loan and its audit
// row, committed together. Demo only: real sources are never written by Restore Console.

const RECORD_PAYMENT = `
WITH loan AS (
  SELECT id, tenant_id, principal FROM loans WHERE status = 'active' ORDER BY random() LIMIT 1
), payment AS (
  INSERT INTO payments (tenant_id, loan_id, amount, paid_at)
  SELECT tenant_id, id, greatest(round(principal / 360, 2), 1), now() FROM loan
  RETURNING id
)
INSERT INTO audit_logs (tenant_id, actor_id, action, entity, entity_id)
SELECT loan.tenant_id, NULL, 'payment.recorded', 'payment', payment.id FROM loan, payment
RETURNING entity_id AS "paymentId"`;

/** Records one payment and its audit row in the demo's loanserve database; null when no loan is active. */
export async function recordDemoActivity(connectionString: string): Promise<{ paymentId: number } | null> {
  const rows = await queryOnce<{ paymentId: string }>(connectionString, RECORD_PAYMENT, {
    applicationName: "restore-console-demo-activity",
  });
  const row = rows[0];
  return row ? { paymentId: Number(row.paymentId) } : null;
}
