/** One benchmark: `bench/run.ts` runs every registered module in turn and prints what it returns. */
export interface BenchModule {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchResult[]>;
}

export interface BenchOptions {
  /** Scale factor from `--quick` (0.1) or 1. */
  scale: number;
}

/** One printed line: a label and its figures (already in display units). */
export interface BenchResult {
  label: string;
  figures: Record<string, string>;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

export function latencyFigures(samplesMs: number[], wallMs: number): Record<string, string> {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    requests: String(sorted.length),
    p50: ms(percentile(sorted, 50)),
    p95: ms(percentile(sorted, 95)),
    p99: ms(percentile(sorted, 99)),
    max: ms(sorted[sorted.length - 1] ?? NaN),
    throughput: `${Math.round((sorted.length / wallMs) * 1000)} req/s`,
  };
}
