import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import { TemplateEditor } from "@/components/incidents/template-editor";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { hasRole } from "@/lib/auth/roles";
import { pageContext } from "@/lib/http/page-context";
import { listTemplates } from "@/lib/incidents/list-templates";
import { formatMinutes } from "@/lib/incidents/measure-objectives";

export const metadata: Metadata = { title: "Checklist template" };
export const dynamic = "force-dynamic";

export default async function ChecklistTemplatePage() {
  const ctx = await pageContext("viewer");
  const { user } = ctx;
  const versions = await listTemplates({ ctx });
  const current = versions.find((t) => t.isCurrent) ?? versions[0];
  const isAdmin = hasRole(user.role, "admin");

  return (
    <>
      <PageHeader
        title="Checklist template"
        description="The emergency checklist new incidents start with. Every save is a new version; an incident keeps the version it was declared with."
        actions={
          <ButtonLink href="/incidents" variant="ghost" icon={<ArrowLeft aria-hidden />}>
            Incidents
          </ButtonLink>
        }
      />
      <div className="space-y-6">
        {current &&
          (isAdmin ? (
            <TemplateEditor initial={current.phases} version={current.version} />
          ) : (
            <Card as="section" padding="none">
              <CardHeader title={`${current.name}, version ${current.version}`} description="Only admins can change it." />
              <CardBody className="space-y-3 text-sm">
                {current.phases.map((phase) => (
                  <section key={phase.key}>
                    <h3 className="font-medium">
                      {phase.title}{" "}
                      <span className="text-muted">
                        {phase.deadlineMinutes === null ? "(no deadline)" : `(within ${formatMinutes(phase.deadlineMinutes)})`}
                      </span>
                    </h3>
                    <ul className="ml-5 list-disc">
                      {phase.items.map((item) => (
                        <li key={item.key}>{item.text}</li>
                      ))}
                    </ul>
                  </section>
                ))}
              </CardBody>
            </Card>
          ))}
        <Card as="section" padding="none">
          <CardHeader title="Versions" />
          <Table caption="Checklist versions, newest first" captionHidden embedded>
            <THead>
              <Tr>
                <Th numeric>Version</Th>
                <Th>Saved</Th>
                <Th>By</Th>
                <Th numeric>Items</Th>
                <Th numeric>Incidents</Th>
                <Th>State</Th>
              </Tr>
            </THead>
            <TBody>
              {versions.map((t) => (
                <Tr key={t.id}>
                  <Td numeric>{t.version}</Td>
                  <Td>
                    <Time value={t.createdAt} />
                  </Td>
                  <Td>{t.createdBy}</Td>
                  <Td numeric>{t.phases.reduce((n, p) => n + p.items.length, 0)}</Td>
                  <Td numeric>{t.incidentCount}</Td>
                  <Td>{t.isCurrent ? <Badge tone="success">current</Badge> : <Badge>superseded</Badge>}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      </div>
    </>
  );
}
