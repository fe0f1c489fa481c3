/** The Run Backtest popover: symbol, timeframe, date range and fee, defaulting to the strategy's. */
import { useState, type FormEvent } from "react";

import type { BacktestParams } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { TIMEFRAMES, defaultForm, formToParams, type BacktestForm, type Timeframe } from "./params";

interface RunBacktestFormProps {
  strategy: Strategy;
  disabled: boolean;
  onRun: (params: BacktestParams) => void;
  onClose: () => void;
}

export function RunBacktestForm({ strategy, disabled, onRun, onClose }: RunBacktestFormProps) {
  const [form, setForm] = useState<BacktestForm>(() => defaultForm(strategy));
  const [errors, setErrors] = useState<Partial<Record<keyof BacktestForm, string>>>({});
  const set = (field: keyof BacktestForm) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = formToParams(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onRun(result.params);
  };

  return (
    <form
      className="backtest-form"
      aria-label="Run a backtest"
      data-testid="backtest-form"
      onSubmit={submit}
      onKeyDown={(event) => event.key === "Escape" && onClose()}
    >
      <label>
        <span>Symbol</span>
        <input
          value={form.symbol}
          onChange={set("symbol")}
          placeholder="the category's default"
          autoComplete="off"
          data-testid="backtest-symbol"
        />
        {errors.symbol && <span className="inline-error">{errors.symbol}</span>}
      </label>
      <label>
        <span>Timeframe</span>
        <select
          value={form.timeframe}
          onChange={(event) => setForm((current) => ({ ...current, timeframe: event.target.value as Timeframe }))}
          data-testid="backtest-timeframe"
        >
          {TIMEFRAMES.map((timeframe) => (
            <option key={timeframe} value={timeframe}>
              {timeframe}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>From</span>
        <input type="date" value={form.start} onChange={set("start")} data-testid="backtest-start" />
        {errors.start && <span className="inline-error">{errors.start}</span>}
      </label>
      <label>
        <span>To</span>
        <input type="date" value={form.end} onChange={set("end")} data-testid="backtest-end" />
        {errors.end && <span className="inline-error">{errors.end}</span>}
      </label>
      <label>
        <span>Fee % per side</span>
        <input inputMode="decimal" value={form.feePct} onChange={set("feePct")} data-testid="backtest-fee" />
        {errors.feePct && <span className="inline-error">{errors.feePct}</span>}
      </label>
      <p className="muted small backtest-form__hint">Empty dates: all stored history.</p>
      <div className="backtest-form__actions">
        <button type="button" className="button button--ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={disabled} data-testid="backtest-run">
          Run
        </button>
      </div>
    </form>
  );
}
