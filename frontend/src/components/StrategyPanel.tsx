/**
 * The visual strategy: the current strategy JSON, or the trader's unsaved edit of it, or, while a reply
 * writes the next one, its preview (the flowchart grows node by node, the degen class and metrics fill
 * in as their sections complete) until the validated strategy replaces it, or the current one returns
 * when the reply's is invalid. Explain and Run Backtest act on the saved version, so they wait while an
 * unsaved edit is open.
 */
import { BacktestPanel } from "../backtest/BacktestPanel";
import { ProvenanceLegend } from "../backtest/ProvenanceLabel";
import { RunBacktestButton } from "../backtest/RunBacktestButton";
import { isBacktestBusy, type BacktestState } from "../backtest/state";
import type { StrategyPreview } from "../chat/preview";
import type { ChatAction } from "../chat/protocol";
import { setDegenClass } from "../edit/operations";
import { messagesAt } from "../edit/problems";
import type { StrategyEditor } from "../edit/useStrategyEditor";
import type { BacktestParams } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { DegenClassSelector } from "./DegenClassSelector";
import { EditBar, VersionOrigin } from "./EditBar";
import { Guardrails } from "./Guardrails";
import { Metrics } from "./Metrics";
import { StrategyEditorBody } from "./StrategyEditorBody";

/** Why Explain and Run Backtest wait: the server would act on the saved version, not on the draft shown. */
export const DRAFT_OPEN_REASON = "Save or discard your edit first.";

interface StrategyPanelProps {
  /** The saved current version, which Explain and Run Backtest act on. */
  strategy: Strategy | null;
  /** The strategy a streaming reply is writing: shown instead of `strategy` until the reply completes. */
  preview: StrategyPreview | null;
  version: number | null;
  conversationId: string | null;
  backtest: BacktestState;
  actionsDisabled: boolean;
  onAction: (action: ChatAction, params?: BacktestParams) => void;
  editor: StrategyEditor;
}

export function StrategyPanel(props: StrategyPanelProps) {
  const { preview, version, actionsDisabled, onAction, editor } = props;
  const strategy = editor.shown ?? props.strategy;
  const saved = props.strategy;
  if (!strategy && !preview) return <EmptyStrategyPanel />;

  const draftOpen = editor.state.draft !== null;

  const latest = props.backtest.latest;
  const latestOfThisVersion = latest && latest.strategy_version === version ? latest : null;
  const explain = saved?.actions?.explain_button;
  const backtest = saved?.actions?.run_backtest_button;
  const summary = preview ? null : strategy?.assistant_panel?.assistant_reply;
  const degenClass = preview ? preview.degenClass : strategy?.degen_class;
  const metrics = preview ? preview.strategyMetrics : strategy?.strategy_metrics;

  return (
    <section
      className={preview ? "panel strategy strategy--live" : "panel strategy"}
      aria-label="Strategy"
      aria-busy={preview !== null}
    >
      <header className="panel__header">
        <h2 className="panel__title">
          Strategy
          {preview ? (
            <span className="chip chip--live" role="status" data-testid="strategy-live">
              <span className="chip__dot" aria-hidden="true" />
              Being written…
            </span>
          ) : (
            <>
              {version !== null && (
                <span className="chip" data-testid="strategy-version">
                  v{version}
                </span>
              )}
              <VersionOrigin editor={editor} />
            </>
          )}
        </h2>
        {saved && (
          <div className="strategy__actions">
            {draftOpen && (
              <p className="muted small strategy__actions-reason" data-testid="actions-reason">
                {DRAFT_OPEN_REASON}
              </p>
            )}
            <button
              type="button"
              className="button button--ghost"
              disabled={actionsDisabled || draftOpen || explain?.enabled === false}
              title={draftOpen ? DRAFT_OPEN_REASON : undefined}
              onClick={() => onAction("explain")}
              data-testid="explain-button"
            >
              {explain?.label || "Explain"}
            </button>
            <RunBacktestButton
              strategy={saved}
              label={backtest?.label || "Run Backtest"}
              disabled={actionsDisabled || draftOpen || backtest?.enabled === false}
              running={isBacktestBusy(props.backtest)}
              onRun={(params) => onAction("run_backtest", params)}
            />
          </div>
        )}
      </header>

      {summary && <p className="strategy__summary">{summary}</p>}

      <div className="strategy__overview">
        <div className="card">
          <h3 className="section-title">Degen class</h3>
          {degenClass ? (
            <DegenClassSelector
              selected={degenClass.selected}
              onSelect={
                strategy && !preview && editor.lockedReason === null
                  ? (level) => editor.change(setDegenClass(strategy, level), "degen_class.selected")
                  : null
              }
              problems={preview ? [] : messagesAt(editor.problems, "degen_class.selected")}
            />
          ) : (
            <p className="muted small" data-testid="degen-class-pending">
              Being written…
            </p>
          )}
        </div>
        <Metrics
          capitalUsd={metrics?.estimated_capital_required_usd}
          monthlyReturnPct={metrics?.impact_monthly_return_delta_pct}
        />
      </div>

      <EditBar editor={editor} />

      <StrategyEditorBody strategy={strategy} preview={preview?.flowchart ?? null} editor={editor}>
        {strategy && !preview ? (
          <Guardrails
            guardrails={draftOpen && saved ? saved.guardrails : strategy.guardrails}
            run={latestOfThisVersion}
            caption={draftOpen && version !== null ? `Checks of v${version} — saved edits are checked again` : null}
          />
        ) : (
          <section className="card guardrails" aria-label="Guardrails" data-testid="guardrails-pending">
            <h2 className="section-title">Guardrails</h2>
            <p className="muted small">The server checks them once the strategy is complete.</p>
          </section>
        )}
      </StrategyEditorBody>

      {!preview && (
        <div className="strategy__results">
          <ProvenanceLegend />
          <BacktestPanel state={props.backtest} conversationId={props.conversationId} version={version} />
        </div>
      )}
    </section>
  );
}

/** The panel before the conversation has a strategy or a reply writing one. */
function EmptyStrategyPanel() {
  return (
    <section className="panel strategy" aria-label="Strategy">
      <header className="panel__header">
        <h2 className="panel__title">Strategy</h2>
      </header>
      <div className="strategy__empty" data-testid="strategy-empty">
        <div className="strategy__empty-art" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
        <p className="strategy__empty-title">No strategy yet</p>
        <p className="muted">
          Ask the strategist for a strategy. Its flowchart, risk class, metrics and guardrails appear here and update
          with every reply.
        </p>
      </div>
    </section>
  );
}
