/**
 * The safety checks the server ran on the strategy, each ok, warning or violation with its reason. The
 * monthly target's check comes from the version's latest backtest when it has one (the server held the
 * target to what that run measured), labelled as measured; the rest are the server's checks.
 */
import { ProvenanceLabel } from "../backtest/ProvenanceLabel";
import { CHECKED } from "../backtest/provenance";
import type { BacktestReport } from "../types/generated/frames";
import type { GuardrailItem, Strategy } from "../types/generated/strategy";

type Status = GuardrailItem["status"];

const ICONS: Record<Status, string> = { ok: "✓", warning: "!", violation: "✕" };
const STATUS_NAMES: Record<Status, string> = { ok: "OK", warning: "Warning", violation: "Violation" };

/** `enabled`, then the `violations` not already among them; a run's `target_check` replaces its key's row. */
export function guardrailRows(guardrails: Strategy["guardrails"], run: BacktestReport | null = null): GuardrailItem[] {
  const rows = [...(guardrails?.enabled ?? [])];
  for (const item of guardrails?.violations ?? []) {
    if (!rows.some((row) => row.key === item.key)) rows.push(item);
  }
  const measured = run?.target_check;
  if (!measured) return rows;
  const index = rows.findIndex((row) => row.key === measured.key);
  if (index >= 0) rows[index] = measured;
  else rows.push(measured);
  return rows;
}

interface GuardrailsProps {
  guardrails: Strategy["guardrails"];
  /** The current version's latest backtest, whose `target_check` is shown for the monthly target. */
  run?: BacktestReport | null;
  /** Which version the checks are of, when the strategy shown is not that version (an unsaved edit). */
  caption?: string | null;
}

export function Guardrails({ guardrails, run = null, caption = null }: GuardrailsProps) {
  const rows = guardrailRows(guardrails, run);
  const measuredKey = run?.target_check?.key;
  return (
    <section className="card guardrails" aria-label="Guardrails">
      <h2 className="section-title guardrails__title">
        Guardrails <ProvenanceLabel provenance={CHECKED} />
      </h2>
      {caption && (
        <p className="muted small" data-testid="guardrails-caption">
          {caption}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="muted small">No guardrails reported for this strategy.</p>
      ) : (
        <ul className="guardrail-list">
          {rows.map((row) => (
            <li key={row.key} className={`guardrail is-${row.status}`} data-testid="guardrail" data-status={row.status} data-key={row.key}>
              <span className="guardrail__icon" aria-label={STATUS_NAMES[row.status]}>
                {ICONS[row.status]}
              </span>
              <div>
                <div className="guardrail__label">{row.label}</div>
                {row.reason && <div className="guardrail__reason">{row.reason}</div>}
                {run && row.key === measuredKey && <ProvenanceLabel provenance={{ kind: "measured", run }} />}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
