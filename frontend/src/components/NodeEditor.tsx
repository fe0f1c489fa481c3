/**
 * The inspector beside the flowchart: edits the selected step's parameters, removes an optional step,
 * adds one after the selected step, and sets the strategy's timeframe. Every change goes into the
 * editor's draft; nothing is sent until the trader saves.
 */
import { cleanLabel } from "../flow/toGraph";
import {
  addableSteps,
  insertStep,
  isAnchor,
  isRemovable,
  removeStep,
  setMeta,
  setTimeframe,
  type FlowNode,
  type OptionalStep,
} from "../edit/operations";
import { messagesAt, nodeLevelProblems, problemsUnder } from "../edit/problems";
import { MIN_ENTRY_RULES, numberRule, TIMEFRAMES } from "../edit/schemaRules";
import type { StrategyProblem } from "../types/generated/frames";
import type { EntryMeta, Strategy } from "../types/generated/strategy";
import { ConditionList } from "./editor/ConditionList";
import { FieldProblems, NumberField, SelectField, TextField } from "./editor/fields";
import { RuleList } from "./editor/RuleList";

const STEP_NAMES: Record<OptionalStep, string> = {
  take_profit: "Take profit",
  stop_loss: "Stop loss",
  position_size: "Position size",
  exit_condition: "Exit condition",
};

const TIMEFRAME_NAMES: Record<string, string> = { "1h": "1 hour", "4h": "4 hours", "1d": "1 day" };

interface NodeEditorProps {
  strategy: Strategy;
  selectedId: string | null;
  problems: StrategyProblem[];
  /** Why editing is off now, or null. */
  lockedReason: string | null;
  onChange: (strategy: Strategy, touched: string | null) => void;
  onSelect: (id: string | null) => void;
}

export function NodeEditor({ strategy, selectedId, problems, lockedReason, onChange, onSelect }: NodeEditorProps) {
  const disabled = lockedReason !== null;
  const index = strategy.flowchart.nodes.findIndex((node) => node.id === selectedId);
  const node = strategy.flowchart.nodes[index];
  const addable = addableSteps(strategy);
  const anchor = node && isAnchor(node) ? node : null;

  const add = (kind: OptionalStep) => {
    const inserted = insertStep(strategy, kind, anchor?.id);
    onChange(inserted.strategy, null);
    onSelect(inserted.id);
  };

  return (
    <section className="card node-editor" aria-label="Edit the strategy" data-testid="node-editor">
      <h2 className="section-title">Edit</h2>
      {lockedReason && <p className="muted small">{lockedReason}</p>}
      {node ? (
        <div
          className="node-editor__step"
          data-testid="node-editor-step"
          data-node-id={node.id}
          data-node-type={node.type}
        >
          <div className="node-editor__head">
            <h3 className="node-editor__title">{cleanLabel(node.label, node.type)}</h3>
            {isRemovable(node) && (
              <button
                type="button"
                className="button button--danger button--small"
                disabled={disabled}
                onClick={() => {
                  onChange(removeStep(strategy, node.id), null);
                  onSelect(null);
                }}
                data-testid="remove-step"
              >
                Remove step
              </button>
            )}
          </div>
          <FieldProblems
            id={`node-${index}-problems`}
            messages={nodeLevelProblems(problems, index).map((p) => p.message)}
          />
          <NodeFields
            key={node.id}
            strategy={strategy}
            node={node}
            path={`flowchart.nodes[${index}]`}
            problems={problemsUnder(problems, `flowchart.nodes[${index}]`)}
            disabled={disabled}
            onChange={onChange}
          />
        </div>
      ) : (
        <p className="muted small">
          Select a step in the flowchart (click it, or Tab to it and press Enter) to edit it.
        </p>
      )}

      <div className="node-editor__strategy">
        <SelectField
          label="Backtest timeframe (candle size)"
          value={strategy.timeframe}
          options={TIMEFRAMES.map((value) => ({
            value: value as Strategy["timeframe"],
            label: TIMEFRAME_NAMES[value] ?? value,
          }))}
          messages={messagesAt(problems, "timeframe")}
          disabled={disabled}
          testId="timeframe"
          onChange={(timeframe) => onChange(setTimeframe(strategy, timeframe), "timeframe")}
        />
        {addable.length > 0 && (
          <div
            className="node-editor__add"
            role="group"
            aria-label={anchor ? `Add a step after ${cleanLabel(anchor.label, anchor.type)}` : "Add a step"}
          >
            <span className="field__label">{anchor ? "Add a step after this one" : "Add a step"}</span>
            <div className="node-editor__add-buttons">
              {addable.map((kind) => (
                <button
                  key={kind}
                  type="button"
                  className="button button--ghost button--small"
                  disabled={disabled}
                  onClick={() => add(kind)}
                  data-testid={`add-${kind}`}
                >
                  + {STEP_NAMES[kind]}
                </button>
              ))}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

interface NodeFieldsProps {
  strategy: Strategy;
  node: FlowNode;
  path: string;
  problems: StrategyProblem[];
  disabled: boolean;
  onChange: (strategy: Strategy, touched: string) => void;
}

/** The fields of one step, by kind. */
function NodeFields({ strategy, node, path, problems, disabled, onChange }: NodeFieldsProps) {
  const meta = `${path}.meta`;
  const { id } = node;
  const at = (field: string) => messagesAt(problems, `${meta}.${field}`);
  switch (node.type) {
    case "take_profit":
      return (
        <NumberField
          label="Target"
          unit="%"
          value={node.meta.target_pct}
          rule={numberRule("TakeProfitMeta", "target_pct")}
          messages={at("target_pct")}
          disabled={disabled}
          testId="target-pct"
          onChange={(target_pct) =>
            onChange(setMeta(strategy, id, "take_profit", { target_pct }), `${meta}.target_pct`)
          }
        />
      );
    case "stop_loss":
      return (
        <NumberField
          label="Stop"
          unit="%"
          value={node.meta.stop_pct}
          rule={numberRule("StopLossMeta", "stop_pct")}
          messages={at("stop_pct")}
          disabled={disabled}
          testId="stop-pct"
          onChange={(stop_pct) => onChange(setMeta(strategy, id, "stop_loss", { stop_pct }), `${meta}.stop_pct`)}
        />
      );
    case "position_size":
      return (
        <NumberField
          label="Allocation (of capital per position)"
          unit="%"
          value={node.meta.allocation_pct}
          rule={numberRule("PositionSizeMeta", "allocation_pct")}
          messages={at("allocation_pct")}
          disabled={disabled}
          testId="allocation-pct"
          onChange={(allocation_pct) =>
            onChange(setMeta(strategy, id, "position_size", { allocation_pct }), `${meta}.allocation_pct`)
          }
        />
      );
    case "category":
      return (
        <>
          <TextField
            label="Category"
            value={node.meta.category}
            messages={at("category")}
            disabled={disabled}
            testId="category"
            onChange={(category) => onChange(setMeta(strategy, id, "category", { category }), `${meta}.category`)}
          />
          <TextField
            label="Symbol (BASE/QUOTE; empty: the category's default)"
            value={node.meta.symbol ?? ""}
            placeholder="BTC/USDT"
            messages={at("symbol")}
            disabled={disabled}
            testId="symbol"
            onChange={(text) =>
              onChange(setMeta(strategy, id, "category", { symbol: symbolOf(text) }), `${meta}.symbol`)
            }
          />
        </>
      );
    case "entry_condition":
      return (
        <>
          <RuleList
            title="Entry rules"
            rules={node.meta.rules}
            path={`${meta}.rules`}
            minimum={MIN_ENTRY_RULES}
            problems={problems}
            disabled={disabled}
            // A draft may hold no rule for a moment; the checks say so and keep it from being saved.
            onChange={(rules, touched) =>
              onChange(setMeta(strategy, id, "entry_condition", { rules: rules as EntryMeta["rules"] }), touched)
            }
          />
          <ConditionList
            conditions={node.meta.conditions}
            path={`${meta}.conditions`}
            problems={problems}
            disabled={disabled}
            onChange={(conditions, touched) =>
              onChange(setMeta(strategy, id, "entry_condition", { conditions }), touched)
            }
          />
        </>
      );
    case "exit_condition":
      return (
        <RuleList
          title="Exit rules"
          rules={node.meta.rules}
          path={`${meta}.rules`}
          minimum={0}
          problems={problems}
          disabled={disabled}
          onChange={(rules, touched) => onChange(setMeta(strategy, id, "exit_condition", { rules }), touched)}
        />
      );
    default:
      return <p className="muted small">This step has no parameters to edit.</p>;
  }
}

/** The symbol as the server spells it ("btc/usdt" → "BTC/USDT"); empty means the category's default. */
function symbolOf(text: string): string | null {
  const symbol = text.trim().toUpperCase();
  return symbol === "" ? null : symbol;
}
