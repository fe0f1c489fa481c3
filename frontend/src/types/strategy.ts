/**
 * The strategy JSON the server sends (the seed's format, validated server-side).
 *
 * Fields are typed as optional where the UI must survive their absence: the panel
 * renders whatever part of the strategy it receives.
 */

export type DegenClass = "High" | "Medium" | "Low";

export type GuardrailStatus = "ok" | "warning" | "violation";

export interface FlowchartNodeJson {
  id: string;
  type: string;
  label?: string;
  meta?: Record<string, unknown>;
}

/** An edge as `[source, target]` (the seed) or as an object. */
export type FlowchartEdgeJson =
  | [string, string]
  | { source: string; target: string }
  | { from: string; to: string };

export interface FlowchartJson {
  nodes?: FlowchartNodeJson[];
  edges?: FlowchartEdgeJson[];
}

export interface GuardrailJson {
  key?: string;
  label?: string;
  status?: GuardrailStatus | string;
  reason?: string | null;
}

export interface ActionButtonJson {
  label?: string;
  enabled?: boolean;
}

export interface StrategyJson {
  account?: { workspace?: string; section?: string };
  assistant_panel?: { greeting?: string; user_request?: string; assistant_reply?: string };
  flowchart?: FlowchartJson;
  degen_class?: { options?: string[]; selected?: string | null };
  strategy_metrics?: {
    impact_monthly_return_delta_pct?: number | null;
    estimated_capital_required_usd?: number | null;
  };
  guardrails?: { enabled?: GuardrailJson[]; violations?: (GuardrailJson | string)[] };
  actions?: { explain_button?: ActionButtonJson; run_backtest_button?: ActionButtonJson };
}
