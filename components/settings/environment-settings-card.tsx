import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { EnvironmentSettings, RestoreTargetSettings } from "@/lib/settings/settings-view";
import { ConfigTree } from "./config-tree";
import { FactList, SectionFacts } from "./fact-list";

function TargetItem({ target }: { target: RestoreTargetSettings }) {
  return (
    <li className="min-w-0 space-y-3 rounded-md border border-border p-3">
      <div className="flex flex-wrap items-center gap-2">
        <h4 className="font-mono text-sm font-semibold [overflow-wrap:anywhere]">{target.name}</h4>
        {target.production && <Badge tone="warning">production</Badge>}
        {target.drillTarget && <Badge tone="info">drill target</Badge>}
      </div>
      <FactList facts={target.facts} />
    </li>
  );
}

/**
 * One environment's configuration in words: what its database runs on, where its dumps are, where
 * restores go and what is promised, with the file's own keys one click away.
 */
export function EnvironmentSettingsCard({
  settings,
  raw,
  controls,
}: {
  settings: EnvironmentSettings;
  raw: unknown;
  /** Shown first in the card: the demo's outage switch. */
  controls?: ReactNode;
}) {
  return (
    <Card as="section" padding="none">
      <CardHeader
        title={settings.title}
        description={
          <>
            <span className="font-mono">{settings.name}</span>
            {settings.description && ` · ${settings.description}`}
          </>
        }
        actions={
          (settings.protected || settings.isDefault) && (
            <>
              {settings.protected && <Badge tone="warning">protected</Badge>}
              {settings.isDefault && <Badge tone="info">default</Badge>}
            </>
          )
        }
      />
      <CardBody className="space-y-6">
        {controls}
        <div className="grid grid-cols-1 gap-x-8 gap-y-6 lg:grid-cols-2">
          {settings.sections.map((section) => (
            <section key={section.key} className="min-w-0 space-y-2">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <h3 className="text-sm font-semibold">{section.title}</h3>
                <span className="text-muted">{section.summary}</span>
              </div>
              <SectionFacts section={section} />
            </section>
          ))}
        </div>

        <section className="space-y-2">
          <h3 className="text-sm font-semibold">Restore targets</h3>
          {settings.targets.length === 0 ? (
            <p className="text-muted">None: logical restores have nowhere to go in this environment.</p>
          ) : (
            <ul className="grid grid-cols-1 gap-3 lg:grid-cols-2">
              {settings.targets.map((target) => (
                <TargetItem key={target.name} target={target} />
              ))}
            </ul>
          )}
        </section>

        <section className="space-y-2">
          <h3 className="text-sm font-semibold">Validation</h3>
          <p className="text-muted">
            Every restore runs the runbook&apos;s built-in checks
            {settings.checks.length > 0 ? ", and these:" : "; no others are configured."}
          </p>
          {settings.checks.length > 0 && (
            <ul className="space-y-1.5">
              {settings.checks.map((check) => (
                <li key={check.name} className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
                  <code className="font-mono text-xs [overflow-wrap:anywhere]">{check.name}</code>
                  <Badge tone={check.severity === "block" ? "warning" : "neutral"}>
                    {check.severity === "block" ? "blocks the swap" : "warns"}
                  </Badge>
                  {check.description && <span className="text-muted">{check.description}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>

        <details className="rounded-md border border-border text-sm">
          <summary className="px-3 py-2 font-medium">
            Raw configuration <span className="font-normal text-muted">(the file&apos;s keys, with defaults filled in)</span>
          </summary>
          <div className="border-t border-border px-3 py-3">
            <ConfigTree value={raw} />
          </div>
        </details>
      </CardBody>
    </Card>
  );
}
