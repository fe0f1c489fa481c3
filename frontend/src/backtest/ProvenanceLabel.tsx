/** A small label saying where a number came from, and the legend that explains the three kinds. */
import { PROVENANCE_TITLES, provenanceText, type Provenance } from "./provenance";

export function ProvenanceLabel({ provenance, long = false }: { provenance: Provenance; long?: boolean }) {
  const text = provenanceText(provenance);
  return (
    <span
      className={`provenance provenance--${provenance.kind}`}
      title={text}
      data-testid="provenance"
      data-kind={provenance.kind}
    >
      {long ? text : PROVENANCE_TITLES[provenance.kind]}
    </span>
  );
}

const LEGEND: { kind: Provenance["kind"]; meaning: string }[] = [
  { kind: "proposed", meaning: "the strategist's estimate, not a result" },
  { kind: "checked", meaning: "the server's own checks of the strategy" },
  { kind: "measured", meaning: "a backtest's figure, on the data it names" },
];

export function ProvenanceLegend() {
  return (
    <ul className="provenance-legend" aria-label="Where the numbers come from" data-testid="provenance-legend">
      {LEGEND.map(({ kind, meaning }) => (
        <li key={kind}>
          <span className={`provenance provenance--${kind}`}>{PROVENANCE_TITLES[kind]}</span>
          <span className="muted">{meaning}</span>
        </li>
      ))}
    </ul>
  );
}
