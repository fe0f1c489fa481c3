/** An entry step's conditions, the rules the backtest engine executes: each kind with its numbers and bounds. */
import { useState } from "react";

import { newCondition, type ConditionKind, type EntryCondition } from "../../edit/operations";
import { messagesAt } from "../../edit/problems";
import { MAX_CONDITIONS, numberRule } from "../../edit/schemaRules";
import type { StrategyProblem } from "../../types/generated/frames";
import { FieldGroup, FieldProblems, NumberField } from "./fields";

interface ConditionField {
  field: string;
  label: string;
  unit?: string;
}

const KINDS: Record<ConditionKind, { model: string; title: string; fields: ConditionField[] }> = {
  drop_from_high: {
    model: "DropFromHigh",
    title: "Price drops from its recent high",
    fields: [
      { field: "pct", label: "Drop", unit: "%" },
      { field: "lookback_bars", label: "High of the last", unit: "bars" },
    ],
  },
  price_above_ma: {
    model: "PriceAboveMA",
    title: "Price above its moving average",
    fields: [{ field: "period", label: "Average of", unit: "bars" }],
  },
  ma_cross_up: {
    model: "MACrossUp",
    title: "Fast average crosses above slow",
    fields: [
      { field: "fast", label: "Fast", unit: "bars" },
      { field: "slow", label: "Slow", unit: "bars" },
    ],
  },
  rsi_below: {
    model: "RSIBelow",
    title: "RSI below a threshold",
    fields: [
      { field: "period", label: "RSI over", unit: "bars" },
      { field: "threshold", label: "Below" },
    ],
  },
};

interface ConditionListProps {
  conditions: EntryCondition[];
  path: string;
  problems: StrategyProblem[];
  disabled: boolean;
  onChange: (conditions: EntryCondition[], touched: string) => void;
}

export function ConditionList({ conditions, path, problems, disabled, onChange }: ConditionListProps) {
  const [kind, setKind] = useState<ConditionKind>("drop_from_high");
  const replace = (index: number, condition: EntryCondition, touched: string) =>
    onChange(
      conditions.map((c, i) => (i === index ? condition : c)),
      touched,
    );
  return (
    <FieldGroup title="Conditions (what a backtest runs; all must hold)" messages={messagesAt(problems, path)}>
      {conditions.length === 0 && (
        <p className="muted small">None yet: the rules above are words only and cannot be backtested.</p>
      )}
      <ol className="condition-list">
        {conditions.map((condition, index) => {
          const conditionPath = `${path}[${index}]`;
          const spec = KINDS[condition.kind];
          const values = condition as unknown as Record<string, number>;
          return (
            <li key={index} className="condition" data-testid="condition" data-kind={condition.kind}>
              <div className="condition__head">
                <span>{spec.title}</span>
                <button
                  type="button"
                  className="button button--ghost button--small"
                  disabled={disabled}
                  aria-label={`Remove condition ${index + 1}`}
                  onClick={() =>
                    onChange(
                      conditions.filter((_, i) => i !== index),
                      path,
                    )
                  }
                >
                  ✕
                </button>
              </div>
              <FieldProblems id={`${conditionPath}-problems`} messages={messagesAt(problems, conditionPath)} />
              <div className="condition__fields">
                {spec.fields.map(({ field, label, unit }) => (
                  <NumberField
                    key={field}
                    label={label}
                    unit={unit}
                    value={values[field] ?? Number.NaN}
                    rule={numberRule(spec.model, field)}
                    messages={messagesAt(problems, `${conditionPath}.${field}`)}
                    disabled={disabled}
                    testId={`condition-${field}`}
                    onChange={(value) =>
                      replace(index, { ...condition, [field]: value } as EntryCondition, `${conditionPath}.${field}`)
                    }
                  />
                ))}
              </div>
            </li>
          );
        })}
      </ol>
      <div className="condition-list__add">
        <select
          className="field__input"
          value={kind}
          disabled={disabled}
          aria-label="Kind of condition to add"
          onChange={(event) => setKind(event.target.value as ConditionKind)}
        >
          {(Object.keys(KINDS) as ConditionKind[]).map((key) => (
            <option key={key} value={key}>
              {KINDS[key].title}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--ghost button--small"
          disabled={disabled || conditions.length >= MAX_CONDITIONS}
          onClick={() => onChange([...conditions, newCondition(kind)], path)}
          data-testid="add-condition"
        >
          + Add
        </button>
      </div>
    </FieldGroup>
  );
}
