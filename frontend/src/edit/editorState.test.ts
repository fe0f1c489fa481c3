import { describe, expect, it } from "vitest";

import type { ErrorFrame, StrategyUpdated } from "../types/generated/frames";
import {
  canOverwrite,
  editorReducer,
  INITIAL_EDITOR_STATE,
  isEditError,
  isStale,
  saveBase,
  type EditorEvent,
  type EditorState,
} from "./editorState";
import { setMeta } from "./operations";
import { seedStrategy } from "./testStrategy";

const run = (events: EditorEvent[], from: EditorState = INITIAL_EDITOR_STATE) => events.reduce(editorReducer, from);
const error = (code: string, extra: Partial<ErrorFrame> = {}): EditorEvent => ({
  kind: "error",
  frame: { type: "error", code, message: `${code} message`, ...extra },
});
const updated = (
  version: number,
  source: StrategyUpdated["source"],
  restoredFrom: number | null = null,
): EditorEvent => ({
  kind: "updated",
  frame: {
    type: "strategy_updated",
    strategy_json: seedStrategy(),
    strategy_version: version,
    conversation_id: "c",
    source,
    restored_from: restoredFrom,
  },
});
const edited = setMeta(seedStrategy(), "stop_loss", "stop_loss", { stop_pct: 4 });
const change: EditorEvent = { kind: "change", strategy: edited, touched: "flowchart.nodes[4].meta.stop_pct" };
/** A trader at v3 who changed the stop loss and pressed Save. */
const SAVE: EditorEvent = { kind: "sent", overwrite: false };
const SAVE_OVER: EditorEvent = { kind: "sent", overwrite: true };
const saving = run([{ kind: "current", version: 3 }, change, SAVE]);

describe("the editor's draft", () => {
  it("is made from the current version and kept until saved or discarded", () => {
    const state = run([{ kind: "current", version: 3 }, change]);
    expect(state).toMatchObject({ draft: edited, draftBase: 3, saving: null });
    expect(run([{ kind: "discard" }], state)).toMatchObject({ draft: null, draftBase: null });
  });

  it("goes stale, and is kept, when another version becomes current while the trader edits", () => {
    const state = run([{ kind: "current", version: 3 }, change, { kind: "current", version: 4 }]);
    expect(state.draft).toBe(edited);
    expect(isStale(state)).toBe(true);
  });

  it("is saved as an edit of its own base when stale, so the server refuses it as overtaken", () => {
    const stale = run([{ kind: "current", version: 3 }, change, { kind: "current", version: 4 }]);
    expect(saveBase(stale, false)).toBe(3);
    expect(run([SAVE], stale).saving).toEqual({ strategy: edited, base: 3 });
    // No saving over v4 before the server has said the draft is overtaken.
    expect(canOverwrite(stale)).toBe(false);
    expect(run([SAVE_OVER], stale).saving).toEqual({ strategy: edited, base: 3 });
  });

  it("may be saved over the current version, deliberately, once the server answered version_conflict", () => {
    const refused = run([updated(4, "edit"), { kind: "current", version: 4 }, error("version_conflict")], saving);
    expect(canOverwrite(refused)).toBe(true);
    expect(run([SAVE], refused).saving).toEqual({ strategy: edited, base: 3 });
    expect(run([SAVE_OVER], refused).saving).toEqual({ strategy: edited, base: 4 });
    // Changing the draft further keeps that choice; discarding ends it.
    expect(canOverwrite(run([change], refused))).toBe(true);
    expect(canOverwrite(run([{ kind: "discard" }], refused))).toBe(false);
  });
});

describe("the server's answer to a saved edit", () => {
  it("is taken as saved when the next version, made by an edit, arrives", () => {
    const state = run([updated(4, "edit"), { kind: "current", version: 4 }], saving);
    expect(state).toMatchObject({ draft: null, saving: null, version: 4, notice: { kind: "saved", version: 4 } });
  });

  it("drops the 'saved' notice once a later version (a restore, a reply) is current", () => {
    const saved = run([updated(4, "edit"), { kind: "current", version: 4 }], saving);
    expect(saved.notice).toEqual({ kind: "saved", version: 4 });
    expect(run([updated(5, "restore", 1), { kind: "current", version: 5 }], saved).notice).toBeNull();
  });

  it("brings the draft back on version_conflict, even after a version that was someone else's", () => {
    const afterOther = run([updated(4, "edit"), { kind: "current", version: 4 }, error("version_conflict")], saving);
    expect(afterOther).toMatchObject({ draft: edited, draftBase: 3, notice: { kind: "conflict" } });
    expect(isStale(afterOther)).toBe(true);
    const beforeIt = run([error("version_conflict")], saving);
    expect(beforeIt).toMatchObject({ draft: edited, draftBase: 3, saving: null, notice: { kind: "conflict" } });
  });

  it("keeps the draft with the problems by path on invalid_strategy, and selects the first node named", () => {
    const problems = [{ path: "flowchart.nodes[4].meta.stop_pct", message: "Too small." }];
    const state = run([error("invalid_strategy", { problems })], saving);
    expect(state).toMatchObject({ draft: edited, saving: null, problems, selectedId: "stop_loss" });
    expect(state.notice).toEqual({ kind: "refused", message: "invalid_strategy message" });
    // Changing that field forgets its problem.
    expect(run([change], state).problems).toEqual([]);
  });

  it("keeps the draft when a reply is streaming, and drops it when the edit changes nothing", () => {
    expect(run([error("reply_in_progress")], saving)).toMatchObject({ draft: edited, notice: { kind: "busy" } });
    expect(run([error("no_change")], saving)).toMatchObject({
      draft: null,
      saving: null,
      notice: { kind: "no_change", message: "no_change message" },
    });
  });

  it("keeps the draft when the connection drops before the answer", () => {
    expect(run([{ kind: "interrupted" }], saving)).toMatchObject({
      draft: edited,
      saving: null,
      notice: { kind: "refused" },
    });
  });

  it("claims the edit's own error codes always, and any other only while an edit awaits its answer", () => {
    const frame = (code: string): ErrorFrame => ({ type: "error", code, message: "" });
    expect(isEditError(frame("version_conflict"), false)).toBe(true);
    expect(isEditError(frame("invalid_strategy"), false)).toBe(true);
    expect(isEditError(frame("no_change"), false)).toBe(true);
    expect(isEditError(frame("reply_in_progress"), false)).toBe(false);
    expect(isEditError(frame("rate_limited"), false)).toBe(false);
    expect(isEditError(frame("rate_limited"), true)).toBe(true);
    expect(isEditError(frame("reply_in_progress"), true)).toBe(true);
    expect(isEditError(frame("no_strategy"), true)).toBe(true);
  });

  it("leaves a backtest's or a message's errors to them, even while an edit awaits its answer", () => {
    const frame = (code: string): ErrorFrame => ({ type: "error", code, message: "" });
    const backtests = ["not_backtestable", "guardrail_violation", "no_candles", "bad_candles", "invalid_params"];
    for (const code of [...backtests, "backtest_in_progress", "backtest_failed", "content_too_long"]) {
      expect(isEditError(frame(code), true), code).toBe(false);
      expect(isEditError(frame(code), false), code).toBe(false);
    }
  });
});

describe("the current version's origin", () => {
  it("records how a version not made by a reply came about", () => {
    expect(run([updated(5, "restore", 2)]).origin).toEqual({ version: 5, source: "restore", restoredFrom: 2 });
    expect(run([updated(6, "edit")]).origin).toEqual({ version: 6, source: "edit", restoredFrom: null });
  });
});

describe("reviewing the version that made a draft stale", () => {
  it("shows it only while the draft is stale, and saving or discarding ends it", () => {
    const fresh = run([{ kind: "current", version: 3 }, change]);
    expect(run([{ kind: "review", on: true }], fresh).reviewing).toBe(false);
    const reviewing = run(
      [
        { kind: "current", version: 4 },
        { kind: "review", on: true },
      ],
      fresh,
    );
    expect(reviewing).toMatchObject({ reviewing: true, draft: edited });
    expect(run([{ kind: "review", on: false }], reviewing).reviewing).toBe(false);
    expect(run([SAVE], reviewing)).toMatchObject({ reviewing: false, saving: { base: 3 } });
    expect(run([{ kind: "discard" }], reviewing)).toMatchObject({ reviewing: false, draft: null });
  });
});
