"""BIGBOT investor-profile questionnaire (partners.md F4 14-16).

The questionnaire, its PROPOSED point table and the profile bands live in
``fixtures/partners/bigbot_survey.yaml``:

* 14 lists the nine questions with options numbered from ``"1"``;
* 15 scores the answers: one option number (a string) per question, ``투자경험`` an array
  whose highest-scoring option counts; the sum is 10-100 and falls in a profile band
  (≤ 20 안정형, 21-40 준안정형, 41-60 표준형, 61-80 준적극형, ≥ 81 적극형). Both spellings of
  the two loss questions are accepted. A missing question, an option out of range or of the
  wrong type answers the partner error naming the question (``survey_result.<key>``);
* 16 maps an external score: ``convert_score = round(score / total_score × 100)``, halves
  rounded up (exact integer arithmetic), then the same bands.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from sandbox.errors import PartnerError
from sandbox.paths import FIXTURES

FAMILY = "bigbot"
SURVEY_FIXTURE = FIXTURES / "partners" / "bigbot_survey.yaml"


@dataclass(frozen=True)
class Question:
    key: str
    options: tuple[str, ...]
    points: tuple[int, ...]
    multiple: bool
    aliases: tuple[str, ...]

    def answer(self, answers: dict[str, Any]) -> tuple[bool, Any]:
        """``(found, value)`` of this question under its key or one of its aliases."""
        for key in (self.key, *self.aliases):
            if key in answers:
                return True, answers[key]
        return False, None


@dataclass(frozen=True)
class Band:
    type: str
    name: str
    upto: int  # inclusive upper bound of the score


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]

    @property
    def minimum(self) -> int:
        return sum(min(q.points) for q in self.questions)

    @property
    def maximum(self) -> int:
        return sum(max(q.points) for q in self.questions)


@lru_cache(maxsize=1)
def questionnaire() -> Questionnaire:
    data: dict[str, Any] = yaml.safe_load(SURVEY_FIXTURE.read_text(encoding="utf-8"))
    questions = []
    for key, spec in data["questions"].items():
        options = tuple(str(o) for o in spec["options"])
        points = tuple(int(p) for p in spec["points"])
        if len(options) != len(points):
            raise ValueError(f"{SURVEY_FIXTURE}: {key} has {len(options)} options and "
                             f"{len(points)} points")
        questions.append(Question(str(key), options, points, bool(spec.get("multiple")),
                                  tuple(str(a) for a in spec.get("aliases") or ())))
    bands = tuple(Band(str(b["type"]), str(b["name"]), int(b["upto"])) for b in data["profiles"])
    return Questionnaire(tuple(questions), bands)


def band(score: int) -> Band:
    """The profile band of a score (the last band takes anything above)."""
    bands = questionnaire().bands
    return next((b for b in bands if score <= b.upto), bands[-1])


def _profile(score: int, name: str) -> dict[str, Any]:
    found = band(score)
    return {"portfolio_name": found.name, "portfolio_type": found.type, name: score}


# ------------------------------------------------------------------------------ 14
def survey_list() -> dict[str, Any]:
    return {"survey_list": {q.key: {str(n): text for n, text in enumerate(q.options, 1)}
                            for q in questionnaire().questions}}


# ------------------------------------------------------------------------------ 15
def _option(question: Question, value: Any, parameter: str) -> int:
    """Points of one chosen option (a string ``"1"`` … ``"n"``)."""
    numbers = {str(n): p for n, p in enumerate(question.points, 1)}
    if not isinstance(value, str) or value not in numbers:
        raise PartnerError(FAMILY, parameter,
                           f"an option number \"1\"-\"{len(numbers)}\" (a string) is required")
    return numbers[value]


def score_answers(answers: dict[str, Any]) -> int:
    """The result score of a complete set of answers (module docstring)."""
    total = 0
    for question in questionnaire().questions:
        parameter = f"survey_result.{question.key}"
        found, value = question.answer(answers)
        if not found:
            raise PartnerError(FAMILY, parameter, "the question is not answered")
        if question.multiple:
            if not isinstance(value, list) or not value:
                raise PartnerError(FAMILY, parameter, "an array of option numbers is required")
            total += max(_option(question, v, parameter) for v in value)
        else:
            total += _option(question, value, parameter)
    return total


def survey_result(body: dict[str, Any]) -> dict[str, Any]:
    answers = body.get("survey_result")
    if not isinstance(answers, dict):
        raise PartnerError(FAMILY, "survey_result", "an object of answers is required")
    return _profile(score_answers(answers), "result_score")


# ------------------------------------------------------------------------------ 16
def convert_score(score: int, total_score: int) -> int:
    """``round(score / total_score × 100)``, halves up, in exact integer arithmetic."""
    return (200 * score + total_score) // (2 * total_score)


def investor_info(body: dict[str, Any]) -> dict[str, Any]:
    score, total = body.get("score"), body.get("total_score")
    if isinstance(total, bool) or not isinstance(total, int | float) or total != int(total) \
            or total <= 0:
        raise PartnerError(FAMILY, "total_score", "a positive integer is required")
    if isinstance(score, bool) or not isinstance(score, int | float) or score != int(score) \
            or score < 0:
        raise PartnerError(FAMILY, "score", "a non-negative integer is required")
    if score > total:
        raise PartnerError(FAMILY, "score", "the score exceeds total_score")
    return _profile(convert_score(int(score), int(total)), "convert_score")
