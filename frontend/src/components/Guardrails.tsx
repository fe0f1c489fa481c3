/** The safety checks the server ran on the strategy, each ok, warning or violation with its reason. */
import type { GuardrailJson, StrategyJson } from "../types/strategy";

type Status = "ok" | "warning" | "violation";

interface GuardrailRow {
  key: string;
  label: string;
  status: Status;
  reason: string | null;
}

const ICONS: Record<Status, string> = { ok: "✓", warning: "!", violation: "✕" };
const STATUS_NAMES: Record<Status, string> = { ok: "OK", warning: "Warning", violation: "Violation" };

/** Flatten `enabled` and `violations` into one list (violations may be plain sentences). */
export function guardrailRows(guardrails: StrategyJson["guardrails"]): GuardrailRow[] {
  const rows: GuardrailRow[] = [];
  const toStatus = (status: unknown, fallback: Status): Status =>
    status === "ok" || status === "warning" || status === "violation" ? status : fallback;
  (guardrails?.enabled ?? []).forEach((item: GuardrailJson, index) => {
    rows.push({
      key: item.key ?? `enabled-${index}`,
      label: item.label ?? item.key ?? "Guardrail",
      status: toStatus(item.status, "ok"),
      reason: item.reason ?? null,
    });
  });
  (guardrails?.violations ?? []).forEach((item, index) => {
    const entry = typeof item === "string" ? { label: item } : item;
    const key = entry.key ?? `violation-${index}`;
    if (rows.some((row) => row.key === key)) return;
    rows.push({
      key,
      label: entry.label ?? entry.key ?? "Violation",
      status: toStatus(entry.status, "violation"),
      reason: entry.reason ?? null,
    });
  });
  return rows;
}

export function Guardrails({ guardrails }: { guardrails: StrategyJson["guardrails"] }) {
  const rows = guardrailRows(guardrails);
  return (
    <section className="card guardrails" aria-label="Guardrails">
      <h2 className="section-title">Guardrails</h2>
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
