import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RestoreRunLive } from "@/components/restores/restore-run-live";
import { fourEyesTerms } from "@/lib/approvals/four-eyes-terms";
import { ButtonLink } from "@/components/ui/button-link";
import { PageHeader } from "@/components/ui/page-header";
import { hasRole } from "@/lib/auth/roles";
import { orNotFound, pageContext } from "@/lib/http/page-context";
import { getRestoreRun } from "@/lib/restore/get-restore-run";
import { pitrTargetLabel } from "@/lib/restore/pitr/plan";
import { isUuid } from "@/lib/search-params";

export const metadata: Metadata = { title: "Restore run" };
export const dynamic = "force-dynamic";

export default async function RestoreRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const { runId } = await params;
  if (!isUuid(runId)) notFound();
  const detail = await orNotFound(getRestoreRun({ ctx, input: { runId } }));
  const drill = detail.run.kind === "drill";
  const what = drill ? "Drill" : "Restore";
  return (
    <>
      <PageHeader
        title={
          detail.plan.kind === "pitr"
            ? `Point-in-time ${what.toLowerCase()} of ${detail.run.environment}`
            : `${what} of ${detail.plan.source.name}`
        }
        description={
          detail.plan.kind === "pitr" ? (
            <>
              {detail.plan.source.description} to {pitrTargetLabel(detail.plan.target)}, into a new server
              {drill ? ", validated and deleted" : ""}; the source is not touched
            </>
          ) : (
            <>
              Into <span className="font-mono">{detail.run.targetName}</span> ({detail.run.targetDatabase}) in {detail.run.environment} ·{" "}
              {drill
                ? "a scratch copy, validated and dropped"
                : detail.run.mode === "swap"
                  ? "replace after validation"
                  : "into a new database"}
            </>
          )
        }
        actions={
          <ButtonLink href={drill ? "/drills" : "/restores"} variant="ghost" icon={<ArrowLeft aria-hidden />}>
            {drill ? "All drills" : "All restores"}
          </ButtonLink>
        }
      />
      <RestoreRunLive
        initial={detail}
        canAct={hasRole(user.role, "operator")}
        canAccept={hasRole(user.role, "admin")}
        viewer={{ id: user.id, email: user.email, role: user.role }}
        fourEyes={fourEyesTerms(detail.run.environment, detail.run.targetName)}
      />
    </>
  );
}
