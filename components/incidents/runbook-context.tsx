import { RUNBOOK_SECTION_TITLES, RUNBOOK_TROUBLESHOOTING, RUNBOOK_VALIDATION_QUERIES } from "@/lib/incidents/runbook";

/** The runbook's troubleshooting and validation sections, where the checklist links to them. */
export function RunbookContext() {
  return (
    <div className="space-y-4 text-sm">
      <section id="runbook-troubleshooting" aria-labelledby="runbook-troubleshooting-title" className="scroll-mt-20">
        <h3 id="runbook-troubleshooting-title" className="font-semibold">
          {RUNBOOK_SECTION_TITLES.troubleshooting}
        </h3>
        <dl className="mt-2 space-y-2">
          {RUNBOOK_TROUBLESHOOTING.map((entry) => (
            <div key={entry.problem}>
              <dt className="font-medium">{entry.problem}</dt>
              <dd>
                <ul className="ml-5 list-disc text-muted">
                  {entry.steps.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ul>
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <section id="runbook-validation" aria-labelledby="runbook-validation-title" className="scroll-mt-20">
        <h3 id="runbook-validation-title" className="font-semibold">
          {RUNBOOK_SECTION_TITLES.validation}
        </h3>
        <p className="mt-1 text-muted">After any restore, run these queries to validate data integrity:</p>
        {RUNBOOK_VALIDATION_QUERIES.map((query) => (
          <details key={query.title} className="mt-2">
            <summary className="cursor-pointer font-medium">{query.title}</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-subtle p-2 font-mono text-xs">{query.sql}</pre>
          </details>
        ))}
      </section>
    </div>
  );
}
