import { describe, expect, it } from "vitest";

import { comparedPair, previousVersion, toggleCompared, versionOrigin } from "./versionCompare";

describe("toggleCompared", () => {
  it("adds and removes a version", () => {
    expect(toggleCompared([], 2)).toEqual([2]);
    expect(toggleCompared([2], 5)).toEqual([2, 5]);
    expect(toggleCompared([2, 5], 2)).toEqual([5]);
  });

  it("keeps at most two, dropping the earliest pick", () => {
    expect(toggleCompared([2, 5], 3)).toEqual([5, 3]);
  });
});

describe("comparedPair", () => {
  it("orders the pair older first, and waits for two", () => {
    expect(comparedPair([5, 3])).toEqual([3, 5]);
    expect(comparedPair([3])).toBeNull();
    expect(comparedPair([])).toBeNull();
  });
});

describe("previousVersion", () => {
  it("is the version listed before, or none for the first", () => {
    expect(previousVersion([1, 2, 4], 4)).toBe(2);
    expect(previousVersion([1, 2, 4], 1)).toBeNull();
    expect(previousVersion([1, 2, 4], 9)).toBeNull();
  });
});

describe("versionOrigin", () => {
  it("names a restore's source version and the other non-reply sources", () => {
    expect(versionOrigin("restore", 1)).toBe("restored from v1");
    expect(versionOrigin("edit", null)).toBe("edited");
    expect(versionOrigin("import", null)).toBe("imported");
    expect(versionOrigin("reply", null)).toBeNull();
  });
});
