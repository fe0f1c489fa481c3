import { describe, expect, it } from "vitest";

import { formatPct, formatUsd } from "./format";

describe("formatting", () => {
  it("formats capital as whole dollars with separators", () => {
    expect(formatUsd(5000)).toBe("$5,000");
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(null)).toBe("—");
  });

  it("formats monthly return as a percentage", () => {
    expect(formatPct(3)).toBe("3%");
    expect(formatPct(7.25)).toBe("7.25%");
    expect(formatPct(undefined)).toBe("—");
  });
});
