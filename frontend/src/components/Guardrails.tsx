/** The safety checks the server ran on the strategy, each ok, warning or violation with its reason. */
import { ProvenanceLabel } from "../backtest/ProvenanceLabel";
import { CHECKED } from "../backtest/provenance";
import type { GuardrailItem, Strategy } from "../types/generated/strategy";

type Status = GuardrailItem["status"];

const ICONS: Record<Status, string> = { ok: "✓", warning: "!", violation: "✕" };
const STATUS_NAMES: Record<Status, string> = { ok: "OK", warning: "Warning", violation: "Violation" };

/** `enabled` and then the `violations` not already among them, as one list of rows. */
export function guardrailRows(guardrails: Strategy["guardrails"]): GuardrailItem[] {
  const rows = [...(guardrails?.enabled ?? [])];
  for (const item of guardrails?.violations ?? []) {
    if (!rows.some((row) => row.key === item.key)) rows.push(item);
  }
  return rows;
}

export function Guardrails({ guardrails }: { guardrails: Strategy["guardrails"] }) {
  const rows = guardrailRows(guardrails);
  return (
    <section className="card guardrails" aria-label="Guardrails">
      <h2 className="section-title guardrails__title">
        Guardrails <ProvenanceLabel provenance={CHECKED} />
      </h2>
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
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
