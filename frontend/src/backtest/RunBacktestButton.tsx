/** The builder's primary button: opens the Run Backtest form, and says so while a run is under way. */
import { useState } from "react";

import type { BacktestParams } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { RunBacktestForm } from "./RunBacktestForm";

interface RunBacktestButtonProps {
  strategy: Strategy;
  label: string;
  disabled: boolean;
  running: boolean;
  onRun: (params: BacktestParams) => void;
}

export function RunBacktestButton({ strategy, label, disabled, running, onRun }: RunBacktestButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className="backtest-button">
      <button
        type="button"
        className="button button--primary"
        disabled={disabled || running}
        aria-expanded={open}
        onClick={() => setOpen((value) => !value)}
        data-testid="backtest-button"
      >
        {running ? "Backtesting…" : label}
      </button>
      {open && (
        <RunBacktestForm
          strategy={strategy}
          disabled={disabled || running}
          onRun={(params) => {
            setOpen(false);
            onRun(params);
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}
