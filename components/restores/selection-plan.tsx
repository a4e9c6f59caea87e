import { TriangleAlert } from "lucide-react";
import type { LogicalRestorePlan } from "@/lib/restore/logical/plan";
import { PlanDisclosure } from "./plan-parts";

type Selection = NonNullable<LogicalRestorePlan["selection"]>;

function NameList({ title, names, testId }: { title: string; names: readonly string[]; testId: string }) {
  return (
    <div className="min-w-0" data-selection={testId}>
      <h4 className="text-xs font-semibold tracking-wide text-muted uppercase">
        {title} ({names.length})
      </h4>
      {names.length === 0 ? (
        <p className="text-sm text-muted">None.</p>
      ) : (
        <ul className="mt-0.5 max-h-40 space-y-0.5 overflow-y-auto font-mono text-xs break-all">
          {names.map((name) => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A restore of chosen tables, before it runs. In sight: the foreign keys left out because one of
 * their two tables is not chosen (rows may then point nowhere). One click away: what comes along
 * with the tables, which the plan's summary already lists.
 */
export function SelectionPlanDetails({ selection }: { selection: Selection }) {
  const constraints = [...selection.constraints, ...selection.foreignKeys.map((k) => k.name)];
  const chosen = new Set(selection.tables);
  return (
    <section aria-label="The chosen tables" className="space-y-3" data-testid="selection-plan">
      {selection.skippedForeignKeys.length > 0 ? (
        <div className="rounded-md border border-warning/40 bg-warning-soft px-4 py-3 text-sm" data-selection="skipped-foreign-keys">
          <p className="flex items-center gap-2 font-semibold text-warning-text">
            <TriangleAlert aria-hidden className="size-4 shrink-0" />
            {selection.skippedForeignKeys.length === 1
              ? "1 foreign key is skipped"
              : `${selection.skippedForeignKeys.length} foreign keys are skipped`}
          </p>
          <p className="mt-1">
            {selection.skippedForeignKeys.length === 1 ? "It points" : "Each points"} to or from a table you did not choose, so it is left
            out and the partial copy loads. Rows in the new database may refer to rows it does not hold.
          </p>
          <ul className="mt-2 space-y-1">
            {selection.skippedForeignKeys.map((key) => {
              const missing = chosen.has(key.table) ? key.references : key.table;
              return (
                <li key={`${key.table}:${key.name}`} className="break-words" data-foreign-key={key.name}>
                  <span className="font-mono">{key.name}</span>: <span className="font-mono">{key.table}</span> →{" "}
                  <span className="font-mono">{key.references}</span>{" "}
                  <span className="text-muted">
                    (<span className="font-mono">{missing}</span> not chosen)
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      ) : (
        <p className="text-sm text-muted">
          No foreign key is skipped: none of the chosen tables points to, or is pointed at by, a table left out.
        </p>
      )}
      <PlanDisclosure summary="What comes along with the chosen tables">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <NameList title="Chosen tables" names={selection.tables} testId="tables" />
          <NameList title="Sequences" names={selection.sequences} testId="sequences" />
          <NameList title="Indexes" names={selection.indexes} testId="indexes" />
          <NameList title="Keys and constraints" names={constraints} testId="constraints" />
        </div>
        {selection.triggers.length > 0 && <NameList title="Triggers" names={selection.triggers} testId="triggers" />}
      </PlanDisclosure>
    </section>
  );
}
