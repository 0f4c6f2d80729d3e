"""Loads a questionnaire from its JSON definition (survey/instrument/*.json), idempotently.

Takes the model classes as arguments so that the data migration can pass its historical
models; everyone else calls `instrument_load_builtin()`.
"""

import json
from pathlib import Path
from typing import Any

INSTRUMENT_DIR = Path(__file__).resolve().parents[1] / "instrument"
BUILTIN = INSTRUMENT_DIR / "ai_at_work_pulse.json"


def _pair(prefix: str, text: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_en": text.get("en", ""), f"{prefix}_fr": text.get("fr", text.get("en", ""))}


def instrument_load(
    definition: dict[str, Any], *, survey_model: Any, dimension_model: Any, question_model: Any, option_model: Any
) -> Any:
    survey, _ = survey_model.objects.update_or_create(
        organisation=None,
        code=definition["code"],
        defaults={**_pair("name", definition["name"]), **_pair("intro", definition.get("intro", {}))},
    )
    dimensions = {}
    for position, item in enumerate(definition["dimensions"]):
        dimensions[item["code"]], _ = dimension_model.objects.update_or_create(
            survey=survey,
            code=item["code"],
            defaults={
                "kind": item.get("kind", "mean"),
                "position": position,
                **_pair("name", item["name"]),
                **_pair("description", item.get("description", {})),
                **_pair("favourable", item.get("favourable", {})),
            },
        )
    for position, item in enumerate(definition["questions"]):
        question, _ = question_model.objects.update_or_create(
            survey=survey,
            code=item["code"],
            defaults={
                "dimension": dimensions.get(item.get("dimension") or ""),
                "type": item["type"],
                "position": position,
                **_pair("text", item["text"]),
            },
        )
        options = item.get("options") or definition["scales"].get(item.get("scale", ""), [])
        for option_position, option in enumerate(options):
            option_model.objects.update_or_create(
                question=question,
                value=option["value"],
                defaults={
                    "position": option_position,
                    "score": option.get("score"),
                    "favourable": option.get("favourable"),
                    **_pair("label", option["label"]),
                },
            )
    return survey


def instrument_load_builtin() -> Any:
    from survey.models import Dimension, Option, Question, Survey

    return instrument_load(
        json.loads(BUILTIN.read_text(encoding="utf-8")),
        survey_model=Survey,
        dimension_model=Dimension,
        question_model=Question,
        option_model=Option,
    )
