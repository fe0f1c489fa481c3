/** The strategy's risk class (High / Medium / Low): a radio group; choosing a class edits the strategy. */
import { useId } from "react";

import type { Strategy } from "../types/generated/strategy";

type DegenLevel = Strategy["degen_class"]["selected"];

const LEVELS: DegenLevel[] = ["High", "Medium", "Low"];

const DESCRIPTIONS: Record<DegenLevel, string> = {
  High: "Aggressive: large swings, stop loss required",
  Medium: "Balanced risk and return",
  Low: "Conservative: capital preservation first",
};

interface DegenClassSelectorProps {
  selected: DegenLevel;
  /** Null: the class cannot be changed now (a reply is streaming, or no connection). */
  onSelect: ((level: DegenLevel) => void) | null;
  problems?: string[];
}

export function DegenClassSelector({ selected, onSelect, problems = [] }: DegenClassSelectorProps) {
  const name = useId();
  return (
    <div
      className="degen"
      role="radiogroup"
      aria-label="Degen class"
      aria-disabled={onSelect === null}
      data-testid="degen-class"
      data-selected={selected}
    >
      {LEVELS.map((level) => {
        const isSelected = level === selected;
        return (
          <label
            key={level}
            className={`degen__option degen__option--${level.toLowerCase()}${isSelected ? " is-selected" : ""}`}
            data-testid="degen-option"
            data-value={level}
            data-selected={isSelected ? "true" : "false"}
            title={DESCRIPTIONS[level]}
          >
            <input
              type="radio"
              className="visually-hidden"
              name={name}
              value={level}
              checked={isSelected}
              disabled={onSelect === null}
              onChange={() => onSelect?.(level)}
            />
            {level}
          </label>
        );
      })}
      {problems.length > 0 && (
        <ul className="field__problems degen__problems" data-testid="field-problem">
          {problems.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
