import { describe, expect, it } from "vitest";
import { formatBytes, formatNumber, formatRatio, markdownTable, median, meets, percentile, ratio, textTable } from "./stats.js";

describe("percentile and median", () => {
  it("interpolates between closest ranks and ignores input order", () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5], 100)).toBe(5);
    expect(percentile([10, 20], 99)).toBeCloseTo(19.9);
    expect(median([3, 1, 2])).toBe(2);
  });

  it("is NaN for an empty sample and clamps p", () => {
    expect(median([])).toBeNaN();
    expect(percentile([1, 2], 150)).toBe(2);
  });
});

describe("ratio and targets", () => {
  it("divides by the baseline, NaN when it cannot", () => {
    expect(ratio(850, 1000)).toBe(0.85);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(undefined, 1)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });

  it("checks a ratio against >= and <= targets; a missing figure never meets one", () => {
    expect(meets(0.85, { op: ">=", value: 0.85 })).toBe(true);
    expect(meets(0.84, { op: ">=", value: 0.85 })).toBe(false);
    expect(meets(1.5, { op: "<=", value: 1.5 })).toBe(true);
    expect(meets(Number.NaN, { op: "<=", value: 1.5 })).toBe(false);
  });
});

describe("formatting", () => {
  it("formats numbers, ratios and sizes for the report", () => {
    expect(formatNumber(12345.6)).toBe("12,346");
    expect(formatNumber(123.4)).toBe("123");
    expect(formatNumber(12.34)).toBe("12.3");
    expect(formatNumber(1.234)).toBe("1.23");
    expect(formatNumber(Number.NaN)).toBe("–");
    expect(formatRatio(0.8567)).toBe("0.86");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(150 * 1024)).toBe("150.0 KiB");
    expect(formatBytes(-3 * 1024 * 1024)).toBe("-3.0 MiB");
  });

  it("builds Markdown and text tables", () => {
    expect(markdownTable(["a", "b"], [["1", "x|y"]])).toBe("| a | b |\n| --- | --- |\n| 1 | x\\|y |");
    expect(textTable(["app", "rps"], [["authless", "900"]])).toBe("app       rps\n--------  ---\nauthless  900");
  });
});
