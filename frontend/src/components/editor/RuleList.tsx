/** A step's rules, the words the trader reads: edit, add and remove lines. */
import { MAX_RULES, MAX_TEXT } from "../../edit/schemaRules";
import { messagesAt } from "../../edit/problems";
import type { StrategyProblem } from "../../types/generated/frames";
import { FieldGroup, FieldProblems } from "./fields";

interface RuleListProps {
  title: string;
  rules: string[];
  /** The list's JSON path, e.g. `flowchart.nodes[2].meta.rules`. */
  path: string;
  minimum: number;
  problems: StrategyProblem[];
  disabled: boolean;
  onChange: (rules: string[], touched: string) => void;
}

export function RuleList({ title, rules, path, minimum, problems, disabled, onChange }: RuleListProps) {
  return (
    <FieldGroup title={title} messages={messagesAt(problems, path)}>
      <ol className="rule-list">
        {rules.map((rule, index) => {
          const rulePath = `${path}[${index}]`;
          const messages = messagesAt(problems, rulePath);
          return (
            <li key={index} className="rule-list__item">
              <div className="rule-list__row">
                <input
                  className="field__input"
                  value={rule}
                  maxLength={MAX_TEXT}
                  disabled={disabled}
                  aria-label={`${title}: rule ${index + 1}`}
                  aria-invalid={messages.length > 0}
                  aria-describedby={messages.length > 0 ? `${rulePath}-problems` : undefined}
                  data-testid="rule-input"
                  onChange={(event) =>
                    onChange(
                      rules.map((r, i) => (i === index ? event.target.value : r)),
                      rulePath,
                    )
                  }
                />
                <button
                  type="button"
                  className="button button--ghost button--small"
                  disabled={disabled || rules.length <= minimum}
                  aria-label={`Remove rule ${index + 1}`}
                  onClick={() =>
                    onChange(
                      rules.filter((_, i) => i !== index),
                      path,
                    )
                  }
                >
                  ✕
                </button>
              </div>
              <FieldProblems id={`${rulePath}-problems`} messages={messages} />
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="button button--ghost button--small"
        disabled={disabled || rules.length >= MAX_RULES}
        onClick={() => onChange([...rules, ""], path)}
        data-testid="add-rule"
      >
        + Add rule
      </button>
    </FieldGroup>
  );
}
