/** Runs of equal and differing characters, so a digest that differs in one place shows where. */
export function differingRuns(expected: string, actual: string): Array<{ text: string; differs: boolean }> {
  const runs: Array<{ text: string; differs: boolean }> = [];
  for (let i = 0; i < actual.length; i++) {
    const differs = actual[i] !== expected[i];
    const last = runs.at(-1);
    if (last && last.differs === differs) last.text += actual[i];
    else runs.push({ text: actual[i] ?? "", differs });
  }
  return runs;
}

/** The computed digest beside the manifest's, its differing characters marked (not by colour alone: underlined). */
export function ActualDigest({ expected, actual }: { expected: string | null; actual: string }) {
  if (!expected || expected === actual) return <>{actual}</>;
  return (
    <span>
      {differingRuns(expected, actual).map((run, index) =>
        run.differs ? (
          <mark key={index} className="rounded-sm bg-danger-soft font-bold text-danger-text underline decoration-2">
            {run.text}
          </mark>
        ) : (
          <span key={index}>{run.text}</span>
        ),
      )}
      <span className="sr-only"> (the marked characters differ from the manifest&apos;s)</span>
    </span>
  );
}
