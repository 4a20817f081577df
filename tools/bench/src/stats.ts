/** Pure helpers of the benchmark: medians, percentiles, ratios to the baseline, and the report table. */

/** The p-th percentile (0-100) of a sample, by linear interpolation between closest ranks; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** value / baseline, or NaN when either is missing or the baseline is zero. */
export function ratio(value: number | undefined, baseline: number | undefined): number {
  if (value === undefined || baseline === undefined || !Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) {
    return Number.NaN;
  }
  return value / baseline;
}

/** Whether a larger figure is better (throughput) or worse (latency, memory, size, time). */
export type Direction = "higher" | "lower";

/** A target on a ratio to the baseline, e.g. ">= 0.85" for throughput or "<= 1.5" for p99. */
export interface Target {
  op: ">=" | "<=";
  value: number;
}

export function meets(measured: number, target: Target): boolean {
  if (!Number.isFinite(measured)) return false;
  return target.op === ">=" ? measured >= target.value : measured <= target.value;
}

/** A number for a table cell: thousands as "12,345", small values with 2-3 significant digits. */
export function formatNumber(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(Math.min(digits, 1));
  return value.toFixed(digits);
}

export const formatRatio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : "–");

/** A byte count as KiB or MiB. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "–";
  const sign = bytes < 0 ? "-" : "";
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${sign}${(abs / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${sign}${(abs / 1024).toFixed(1)} KiB`;
  return `${sign}${abs.toFixed(0)} B`;
}

/** A Markdown table; cells are escaped for pipes. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A fixed-width text table for the terminal. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
