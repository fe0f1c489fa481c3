import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

import { INITIAL_BACKTEST_STATE } from "../backtest/state";
import { INITIAL_EDITOR_STATE } from "../edit/editorState";
import { setDegenClass } from "../edit/operations";
import { seedStrategy } from "../edit/testStrategy";
import type { StrategyEditor } from "../edit/useStrategyEditor";
import type { Strategy } from "../types/generated/strategy";
import { StrategyPanel } from "./StrategyPanel";

// The Run Backtest button's popover opens on a click, which static markup cannot make: its props are
// what it would build the form from.
const backtestButton = vi.hoisted(() => ({ props: null as null | { strategy: unknown; disabled: boolean } }));
vi.mock("../backtest/RunBacktestButton", () => ({
  RunBacktestButton: (props: { strategy: unknown; disabled: boolean }) => {
    backtestButton.props = props;
    return null;
  },
}));

// The flowchart asks for the trader's motion preference; there is no browser window under node.
vi.stubGlobal("window", { matchMedia: () => ({ matches: false }) });

const CHECKED_GUARDRAILS: Strategy["guardrails"] = {
  enabled: [{ key: "stop_loss", label: "Stop loss of v3 is set", status: "ok", reason: "" }],
  violations: [],
};

function savedStrategy(): Strategy {
  return { ...seedStrategy(), timeframe: "1d", guardrails: CHECKED_GUARDRAILS };
}

function editorFor(saved: Strategy, draft: Strategy | null): StrategyEditor {
  return {
    state: { ...INITIAL_EDITOR_STATE, version: 3, draft, draftBase: draft ? 3 : null },
    shown: draft ?? saved,
    lockedReason: null,
    stale: false,
    unchanged: false,
    originLabel: null,
    problems: [],
    canSave: draft !== null,
    canOverwrite: false,
    change: () => {},
    select: () => {},
    discard: () => {},
    review: () => {},
    save: () => {},
  };
}

function panel(saved: Strategy, draft: Strategy | null): string {
  return renderToStaticMarkup(
    createElement(StrategyPanel, {
      strategy: saved,
      preview: null,
      version: 3,
      conversationId: "c1",
      backtest: INITIAL_BACKTEST_STATE,
      actionsDisabled: false,
      onAction: () => {},
      editor: editorFor(saved, draft),
    }),
  );
}

/** The attributes of the element carrying `data-testid="<id>"`. */
function tagOf(html: string, id: string): string {
  return html.match(new RegExp(`<[^>]*data-testid="${id}"[^>]*>`))?.[0] ?? "";
}

describe("the strategy panel with an unsaved edit open", () => {
  it("disables Explain and Run Backtest and says why, and the backtest is of the saved version", () => {
    const saved = savedStrategy();
    const draft = { ...setDegenClass(saved, "Low"), timeframe: "4h" as const, guardrails: null };
    const html = panel(saved, draft);
    expect(tagOf(html, "explain-button")).toMatch(/disabled=""/);
    expect(html).toContain('data-testid="actions-reason"');
    expect(html).toContain("Save or discard your edit first.");
    expect(backtestButton.props?.disabled).toBe(true);
    expect(backtestButton.props?.strategy).toBe(saved);
  });

  it("labels the guardrails as the saved version's checks", () => {
    const saved = savedStrategy();
    const html = panel(saved, { ...setDegenClass(saved, "Low"), guardrails: null });
    expect(html).toContain("Checks of v3 — saved edits are checked again");
    expect(html).toContain("Stop loss of v3 is set");
  });

  it("lets Explain and Run Backtest act on the version shown when there is no edit", () => {
    const saved = savedStrategy();
    const html = panel(saved, null);
    expect(tagOf(html, "explain-button")).not.toMatch(/disabled=""/);
    expect(html).not.toContain('data-testid="actions-reason"');
    expect(html).not.toContain('data-testid="guardrails-caption"');
    expect(backtestButton.props).toMatchObject({ disabled: false, strategy: saved });
  });
});
