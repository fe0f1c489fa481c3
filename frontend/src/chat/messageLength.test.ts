import { describe, expect, it } from "vitest";

import { lengthNotice, messageLength } from "./messageLength";

describe("lengthNotice", () => {
  it("says nothing well under the limit or without one", () => {
    expect(lengthNotice("a".repeat(3599), 4000)).toBeNull();
    expect(lengthNotice("a".repeat(9000), undefined)).toBeNull();
  });

  it("counts from 90 % of the limit up to the limit itself", () => {
    expect(lengthNotice("a".repeat(3600), 4000)).toEqual({ text: "3,600 / 4,000", over: false });
    expect(lengthNotice("a".repeat(4000), 4000)).toEqual({ text: "4,000 / 4,000", over: false });
  });

  it("says by how much a draft is over", () => {
    expect(lengthNotice("a".repeat(4001), 4000)).toEqual({ text: "1 character over the 4,000 limit", over: true });
    expect(lengthNotice("a".repeat(5200), 4000)).toEqual({ text: "1,200 characters over the 4,000 limit", over: true });
  });

  it("counts what the server counts: code points of the trimmed text", () => {
    expect(messageLength("  😀é \n")).toBe(2);
    // 4,000 emoji are 8,000 UTF-16 units but within a 4,000-character limit.
    expect(lengthNotice("😀".repeat(4000), 4000)).toEqual({ text: "4,000 / 4,000", over: false });
    expect(lengthNotice(" ".repeat(3800) + "hi", 4000)).toBeNull();
  });
});
