"""Pydantic models of the strategy JSON the model writes in its `<backend>` block.

`Strategy` is the top level; `Flowchart` holds `Node`s (a discriminated union on `type`, one model
per node kind) and edges normalised to `(source, target)` pairs. An entry step's `conditions` are the
closed set of rules the backtest engine executes (`Condition`, one model per kind); its `rules` are the
words the trader reads. `Guardrails` and `Actions` are the
server-computed output shapes: whatever the model sends for them is discarded on input. Unknown keys
are dropped, unknown node types are errors, and numbers written as "5%" or "$1,000" are coerced.

The model's output is untrusted, so every list and string has a cap (the `MAX_*` constants; the
README lists them): a strategy the builder can draw is far below them, and one over them is refused.
"""

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

MAX_STRATEGY_JSON_BYTES = 128 * 1024  # the whole `<backend>` JSON, checked before it is parsed
MAX_STRATEGY_JSON_DEPTH = 16  # a valid strategy nests six levels deep
MAX_NODES = 100
MAX_EDGES = 200
MAX_RULES = 20  # entry or exit rules on one step
MAX_ID_CHARS = 64
MAX_LABEL_CHARS = 200  # labels, names, categories and each rule
MAX_TEXT_CHARS = 4000  # the assistant panel's paragraphs

MAX_CONDITIONS = 10  # executable conditions on one entry step

DegenLevel = Literal["High", "Medium", "Low"]
Timeframe = Literal["1h", "4h", "1d"]
DEFAULT_TIMEFRAME: Timeframe = "1d"
GuardrailStatus = Literal["ok", "warning", "violation"]


MAX_STRATEGY_PROBLEMS = 50  # problems an `InvalidStrategy` lists by path


class StrategyProblem(BaseModel):
    """One reason a strategy was refused: where (a JSON path like `flowchart.nodes[2].meta.stop_pct`) and why."""

    model_config = ConfigDict(frozen=True)
    path: str
    message: str


class InvalidStrategy(Exception):
    """Strategy JSON that cannot be accepted; the message is a sentence a trader can read.

    `problems` names each problem by its JSON path (an edit or an import shows them all).
    """

    def __init__(self, message: str, problems: list[StrategyProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def _strip_number_text(value: object) -> object:
    """Turn "5%", " 7.5 % " or "$1,000" into a plain numeric string pydantic can parse."""
    if isinstance(value, str):
        return value.strip().rstrip("%").lstrip("$").replace(",", "").strip()
    return value


def _edge_pair(value: object) -> object:
    """Accept `{"source": a, "target": b}` as well as the seed's `[a, b]`."""
    if isinstance(value, dict) and "source" in value and "target" in value:
        return (value["source"], value["target"])
    return value


def _title_case(value: object) -> object:
    """Normalise "high" / " LOW " to "High" / "Low"."""
    if isinstance(value, str):
        return value.strip().capitalize()
    return value


Number = Annotated[float, BeforeValidator(_strip_number_text)]
NodeId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_CHARS)]
Label = Annotated[str, StringConstraints(max_length=MAX_LABEL_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
Edge = Annotated[tuple[NodeId, NodeId], BeforeValidator(_edge_pair)]
Symbol = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{1,12}/[A-Z0-9]{1,12}$"),
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),  # " btc/usdt"
]


class _Model(BaseModel):
    """Base for every strategy model: ignore unknown keys, refuse NaN and infinity."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


# --- flowchart nodes ------------------------------------------------------------------------


class CategoryMeta(_Model):
    """The crypto category the strategy trades, and the market a backtest runs it on."""

    category: Label
    #: A spot pair like "BTC/USDT"; None means the category's default symbol (`strategies.symbols`).
    symbol: Symbol | None = None


# --- executable entry conditions (the closed set the backtest engine runs) ---------------------


class DropFromHigh(_Model):
    """The bar's close is at least `pct` % below the highest high of the `lookback_bars` bars before it."""

    kind: Literal["drop_from_high"]
    pct: Number = Field(gt=0, lt=100)
    lookback_bars: int = Field(ge=1, le=1000)


class PriceAboveMA(_Model):
    """The bar's close is above the simple moving average of the last `period` closes."""

    kind: Literal["price_above_ma"]
    period: int = Field(ge=2, le=500)


class MACrossUp(_Model):
    """The `fast` simple moving average of closes crosses above the `slow` one on this bar."""

    kind: Literal["ma_cross_up"]
    fast: int = Field(ge=2, le=500)
    slow: int = Field(ge=3, le=1000)

    @model_validator(mode="after")
    def _fast_below_slow(self) -> "MACrossUp":
        """A cross of a faster average over a slower one: `fast` must be the shorter period."""
        if self.fast >= self.slow:
            raise ValueError("the fast period must be shorter than the slow period")
        return self


class RSIBelow(_Model):
    """Wilder's RSI over `period` bars is below `threshold`."""

    kind: Literal["rsi_below"]
    period: int = Field(ge=2, le=500)
    threshold: Number = Field(gt=0, lt=100)


Condition = Annotated[Union[DropFromHigh, PriceAboveMA, MACrossUp, RSIBelow], Field(discriminator="kind")]
CONDITION_KINDS: frozenset[str] = frozenset({"drop_from_high", "price_above_ma", "ma_cross_up", "rsi_below"})


class EntryMeta(_Model):
    """When to open a position."""

    mode: Literal["ai_optimized", "manual"] = "ai_optimized"
    #: The words the trader reads.
    rules: list[Label] = Field(min_length=1, max_length=MAX_RULES)
    #: What the backtest engine executes; all must hold. Empty: the rules are not executable (yet).
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)


class ExitMeta(_Model):
    """When to close a position besides the profit target and stop loss."""

    rules: list[Label] = Field(default_factory=list, max_length=MAX_RULES)


class TakeProfitMeta(_Model):
    """Gain, in percent, at which the position is closed."""

    target_pct: Number = Field(gt=0, le=1000)


class StopLossMeta(_Model):
    """Loss, in percent, at which the position is closed."""

    stop_pct: Number = Field(gt=0, lt=100)
    added: bool = True


class PositionSizeMeta(_Model):
    """Share of the capital, in percent, put into one position."""

    allocation_pct: Number = Field(gt=0, le=100)


class _Node(_Model):
    """Fields every flowchart node has."""

    id: NodeId


class StartNode(_Node):
    """Where the strategy begins."""

    type: Literal["start"]
    label: Label = "Start Strategy"


class EndNode(_Node):
    """Where the strategy ends."""

    type: Literal["end"]
    label: Label = "End Strategy"


class CategoryNode(_Node):
    """Choice of crypto category."""

    type: Literal["category"]
    label: Label = "Crypto Category: "
    meta: CategoryMeta


class EntryConditionNode(_Node):
    """Entry rules."""

    type: Literal["entry_condition"]
    label: Label = "Set Entry Condition: "
    meta: EntryMeta


class ExitConditionNode(_Node):
    """Exit rules."""

    type: Literal["exit_condition"]
    label: Label = "Exit Condition: "
    meta: ExitMeta


class TakeProfitNode(_Node):
    """Profit target."""

    type: Literal["take_profit"]
    label: Label = "Profit Target: "
    meta: TakeProfitMeta


class StopLossNode(_Node):
    """Stop loss."""

    type: Literal["stop_loss"]
    label: Label = "Stop Loss: "
    meta: StopLossMeta


class PositionSizeNode(_Node):
    """Position sizing."""

    type: Literal["position_size"]
    label: Label = "Position Size: "
    meta: PositionSizeMeta


Node = Annotated[
    Union[
        StartNode,
        EndNode,
        CategoryNode,
        EntryConditionNode,
        ExitConditionNode,
        TakeProfitNode,
        StopLossNode,
        PositionSizeNode,
    ],
    Field(discriminator="type"),
]

NODE_TYPES: frozenset[str] = frozenset(
    {"start", "end", "category", "entry_condition", "exit_condition", "take_profit", "stop_loss", "position_size"}
)


class Flowchart(_Model):
    """The strategy's steps and the directed edges between them."""

    nodes: list[Node] = Field(max_length=MAX_NODES)
    edges: list[Edge] = Field(max_length=MAX_EDGES)


# --- the rest of the strategy ---------------------------------------------------------------


class Account(_Model):
    """Where the strategy is filed."""

    workspace: Label = "Vibe Water Associates"
    section: Label = "My Strategies"


class AssistantPanel(_Model):
    """Text the builder shows beside the flowchart."""

    greeting: Text = ""
    user_request: Text = ""
    assistant_reply: Text = ""


class DegenClass(_Model):
    """The strategy's risk class."""

    options: list[Label] = Field(default_factory=lambda: ["High", "Medium", "Low"], max_length=10)
    selected: Annotated[DegenLevel, BeforeValidator(_title_case)]


class StrategyMetrics(_Model):
    """Headline numbers of the strategy."""

    impact_monthly_return_delta_pct: Number
    estimated_capital_required_usd: Number = Field(gt=0)


class GuardrailItem(_Model):
    """One server-computed safety check."""

    key: str
    label: str
    status: GuardrailStatus
    reason: str


class Guardrails(_Model):
    """All safety checks, and those that block the strategy."""

    enabled: list[GuardrailItem]
    violations: list[GuardrailItem]


class Button(_Model):
    """A builder button's label and state."""

    label: str
    enabled: bool


class Actions(_Model):
    """The builder's buttons."""

    explain_button: Button
    run_backtest_button: Button


class Strategy(_Model):
    """The whole strategy JSON; `guardrails` and `actions` are filled in by the server only."""

    account: Account = Field(default_factory=Account)
    assistant_panel: AssistantPanel = Field(default_factory=AssistantPanel)
    flowchart: Flowchart
    #: The candle size a backtest runs on.
    timeframe: Timeframe = DEFAULT_TIMEFRAME
    degen_class: DegenClass
    strategy_metrics: StrategyMetrics
    guardrails: Guardrails | None = None
    actions: Actions | None = None

    @field_validator("guardrails", "actions", mode="before")
    @classmethod
    def _discard_model_output(cls, value: Any) -> None:
        """Drop whatever the model sent: the server computes these itself."""
        return None
