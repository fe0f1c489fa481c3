import { describe, expect, it } from "vitest";

import { replyChangedStrategy } from "./screenView";

describe("replyChangedStrategy", () => {
  it("is news when a completed reply brings a new version", () => {
    expect(replyChangedStrategy({ version: null, completedReplies: 0 }, { version: 1, completedReplies: 1 })).toBe(true);
    expect(replyChangedStrategy({ version: 3, completedReplies: 4 }, { version: 4, completedReplies: 5 })).toBe(true);
  });

  it("is not news when the page loads an existing strategy (no reply completed)", () => {
    expect(replyChangedStrategy({ version: null, completedReplies: 0 }, { version: 3, completedReplies: 0 })).toBe(false);
  });

  it("is not news when a reply completes without changing the strategy", () => {
    expect(replyChangedStrategy({ version: 2, completedReplies: 1 }, { version: 2, completedReplies: 2 })).toBe(false);
  });
});
