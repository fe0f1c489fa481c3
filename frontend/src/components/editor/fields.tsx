/** The editor's form fields: each shows its value, takes the trader's input and lists its problems. */
import { useEffect, useId, useState, type ReactNode } from "react";

import type { NumberRule } from "../../edit/schemaRules";

/** The problems of one field, read out with it (the input names this list in aria-describedby). */
export function FieldProblems({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field__problems" id={id} data-testid="field-problem">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  label: string;
  messages: string[];
  disabled: boolean;
  testId: string;
}

/** A number; what the trader types is kept as typed ("4.") while the strategy holds its value (NaN when empty). */
export function NumberField({
  label,
  value,
  rule,
  unit,
  messages,
  disabled,
  testId,
  onChange,
}: FieldProps & { value: number; rule: NumberRule; unit?: string; onChange: (value: number) => void }) {
  const id = useId();
  const [text, setText] = useState(() => numberText(value));
  useEffect(() => {
    setText((typed) => (Object.is(parseNumber(typed), value) ? typed : numberText(value)));
  }, [value]);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="field__control">
        <input
          id={id}
          className="field__input"
          type="text"
          inputMode={rule.integer ? "numeric" : "decimal"}
          value={text}
          disabled={disabled}
          aria-invalid={messages.length > 0}
          aria-describedby={messages.length > 0 ? `${id}-problems` : undefined}
          data-testid={testId}
          onChange={(event) => {
            setText(event.target.value);
            onChange(parseNumber(event.target.value));
          }}
        />
        {unit && <span className="field__unit">{unit}</span>}
      </div>
      <FieldProblems id={`${id}-problems`} messages={messages} />
    </div>
  );
}

/** One line of text. */
export function TextField({
  label,
  value,
  placeholder,
  messages,
  disabled,
  testId,
  onChange,
}: FieldProps & { value: string; placeholder?: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="field__input"
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        aria-invalid={messages.length > 0}
        aria-describedby={messages.length > 0 ? `${id}-problems` : undefined}
        data-testid={testId}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldProblems id={`${id}-problems`} messages={messages} />
    </div>
  );
}

/** A choice from a fixed list. */
export function SelectField<T extends string>({
  label,
  value,
  options,
  messages,
  disabled,
  testId,
  onChange,
}: FieldProps & { value: T; options: readonly { value: T; label: string }[]; onChange: (value: T) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="field__input"
        value={value}
        disabled={disabled}
        data-testid={testId}
        onChange={(event) => onChange(event.target.value as T)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldProblems id={`${id}-problems`} messages={messages} />
    </div>
  );
}

/** A titled group of fields (a list of rules, the conditions). */
export function FieldGroup({ title, messages, children }: { title: string; messages: string[]; children: ReactNode }) {
  const id = useId();
  return (
    <fieldset className="field-group" aria-describedby={messages.length > 0 ? id : undefined}>
      <legend className="field__label">{title}</legend>
      {children}
      <FieldProblems id={id} messages={messages} />
    </fieldset>
  );
}

function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : "";
}

function parseNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? Number.NaN : Number(trimmed);
}
