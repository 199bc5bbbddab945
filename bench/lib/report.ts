/** What one benchmark hands back to `bench/run.ts`: Markdown to print and to paste into docs/benchmarks.md. */
export interface BenchReport {
  title: string;
  /** Tables and notes, Markdown. */
  markdown: string;
  /** One line per target: the target, the measured figures, met or missed. */
  targets: readonly string[];
}

/** "met" / "MISSED" for a target line. */
export const verdictWord = (met: boolean): string => (met ? "met" : "MISSED");
