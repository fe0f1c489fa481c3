/** The strategy's risk class (High / Medium / Low), showing the server's choice. */

const DEFAULT_OPTIONS = ["High", "Medium", "Low"];

const DESCRIPTIONS: Record<string, string> = {
  High: "Aggressive: large swings, stop loss required",
  Medium: "Balanced risk and return",
  Low: "Conservative: capital preservation first",
};

export function DegenClassSelector({ options, selected }: { options?: string[]; selected?: string | null }) {
  const choices = options && options.length > 0 ? options : DEFAULT_OPTIONS;
  return (
    <div
      className="degen"
      role="radiogroup"
      aria-label="Degen class"
      aria-readonly="true"
      data-testid="degen-class"
      data-selected={selected ?? ""}
    >
      {choices.map((option) => {
        const isSelected = option === selected;
        return (
          <div
            key={option}
            role="radio"
            aria-checked={isSelected}
            className={`degen__option degen__option--${option.toLowerCase()}${isSelected ? " is-selected" : ""}`}
            data-testid="degen-option"
            data-value={option}
            data-selected={isSelected ? "true" : "false"}
            title={DESCRIPTIONS[option]}
          >
            {option}
          </div>
        );
      })}
    </div>
  );
}
