"""The JSON schemas the frontend's types are generated from: the socket's frames, the strategy and a version diff.

    .venv/bin/python -m chat.protocol_schema    # writes frontend/src/types/generated/*.schema.json

`npm run types` (in frontend/) runs this, then turns the schemas into `frontend/src/types/generated/*.ts`
with json-schema-to-typescript. Server frames and the strategy are described as the server sends them
(serialization mode), client frames as the server accepts them (validation mode).
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from chat.frames import ClientFrame, MessagePage, ServerFrame
from strategies.diff import StrategyDiff
from strategies.schemas import Strategy

GENERATED = Path(__file__).resolve().parent.parent / "frontend" / "src" / "types" / "generated"


class _AsSent(GenerateJsonSchema):
    """Fields as sent: required in serialization mode (the server sends every one), and untitled (so the
    generated TypeScript names only the models)."""

    def field_title_should_be_set(self, schema: core_schema.CoreSchemaOrField) -> bool:
        """Never: a field's name is its title."""
        return False

    def field_is_required(
        self, field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField, total: bool
    ) -> bool:
        """Required when it has no default, and in serialization mode always, except fields left out when unset."""
        if self.mode == "serialization" and "serialization_exclude_if" not in field:
            return True
        return super().field_is_required(field, total)


def _members(union: Any) -> list[type[BaseModel]]:
    """The models of a discriminated union of frames."""
    return list(typing.get_args(typing.get_args(union)[0]))


def _ref(name: str) -> dict[str, str]:
    """A reference to one of the schema's `$defs`."""
    return {"$ref": f"#/$defs/{name}"}


def _union(title: str, members: list[type[BaseModel]], description: str) -> dict[str, Any]:
    """A named union of `$defs` entries, so the generated code has a type for it."""
    return {"title": title, "description": description, "oneOf": [_ref(member.__name__) for member in members]}


def frames_schema() -> dict[str, Any]:
    """The socket's protocol as one schema: the server's frames, the client's, and the messages endpoint's page."""
    server, client = _members(ServerFrame), _members(ClientFrame)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(model, "serialization") for model in server]
    models += [(MessagePage, "serialization")] + [(model, "validation") for model in client]
    _, schema = models_json_schema(models, schema_generator=_AsSent)
    defs = schema["$defs"]
    defs["ServerFrame"] = _union("ServerFrame", server, "A frame the server sends.")
    defs["ClientFrame"] = _union("ClientFrame", client, "A frame the client sends.")
    # The root names the three so that the generated code declares each (and everything they use).
    roots = {"server_frame": "ServerFrame", "client_frame": "ClientFrame", "message_page": "MessagePage"}
    return {
        "title": "Protocol",
        "description": "The chat socket's frames, each way, and a page of the messages endpoint.",
        "type": "object",
        "properties": {key: _ref(name) for key, name in roots.items()},
        "required": list(roots),
        "additionalProperties": False,
        "$defs": defs,
    }


def strategy_schema() -> dict[str, Any]:
    """The strategy JSON as the server stores and sends it."""
    return Strategy.model_json_schema(mode="serialization", schema_generator=_AsSent)


def diff_schema() -> dict[str, Any]:
    """What the version diff endpoint answers (`strategies.diff.StrategyDiff`)."""
    return StrategyDiff.model_json_schema(mode="serialization", schema_generator=_AsSent)


SCHEMAS = {
    "frames.schema.json": frames_schema,
    "strategy.schema.json": strategy_schema,
    "diff.schema.json": diff_schema,
}


def schema_text(name: str) -> str:
    """The text of one generated schema file, as committed."""
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write every schema beside the TypeScript generated from it."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (GENERATED / name).write_text(schema_text(name), encoding="utf-8")
        sys.stdout.write(f"wrote {GENERATED / name}\n")


if __name__ == "__main__":
    main()
