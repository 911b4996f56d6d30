"""Every documented partner request example, replayed as written (ERRATA 34: ``<APIKEY>``
replaced by a registered key), answers 200 with every key path of its response examples
(extra keys allowed). ERRATA 35: the examples of a documented variant or of the real 2020
sandbox's quirks are checked with their switch on. Skipped without ``../shared``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings
from tests.conftest import EXAMPLES, FROZEN, assert_covers, example, partner_call

PARTNERS = EXAMPLES / "partners"

#: ERRATA 35: response examples checked only with their switch on.
SWITCHED: dict[str, dict[str, Any]] = {
    "fabotdw_dept_stock.response.json": {"bug_compatible": True},
    "fabotdw_dept_kosdaq.response.json": {"bug_compatible": True},
    "fabotdw_dept_kosdaq_fics.response.json": {"bug_compatible": True},
    "thecheat_fraudsearch.catalog2020.response.json": {
        "partner_variants": frozenset({"thecheat-content-object"})},
}


def _requests() -> list[str]:
    return sorted(p.name for p in PARTNERS.glob("*.request.json")) if PARTNERS.is_dir() else []


def responses_of(request_name: str) -> list[str]:
    """The success response examples of a request file: same provider and endpoint (the part
    of the name before the first dot), documented or proposed, never the error examples."""
    base = request_name.split(".", 1)[0]
    return sorted(p.name for p in PARTNERS.glob(f"{base}.*response.json")
                  if ".error." not in p.name)


def _switched_app(**settings: Any) -> Flask:
    return create_app(Config(world=WorldSettings(seed=42, clock=FROZEN, **settings),
                             response_validation="strict"))


@pytest.mark.parametrize("request_name", _requests() or ["(none)"])
def test_documented_request_answers_every_documented_key(client: FlaskClient,
                                                         request_name: str) -> None:
    described = example(f"partners/{request_name}")
    response = partner_call(client, described)
    assert response.status_code == 200, (request_name, response.get_data(as_text=True))
    body = response.get_json()
    checked = [name for name in responses_of(request_name) if name not in SWITCHED]
    for name in checked:
        assert_covers(f"partners/{name}", body)


@pytest.mark.parametrize("response_name", sorted(SWITCHED))
def test_switched_examples_are_covered_with_their_switch_on(response_name: str) -> None:
    app = _switched_app(**SWITCHED[response_name])
    base = response_name.split(".", 1)[0]
    request_name = f"{base}.request.json"
    described = example(f"partners/{request_name}")
    response = partner_call(app.test_client(), described)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_covers(f"partners/{response_name}", response.get_json())


def test_every_request_example_has_a_response_example() -> None:
    if not PARTNERS.is_dir():
        pytest.skip("../shared/spec is absent")
    lonely = [name for name in _requests() if not responses_of(name)]
    assert not lonely, lonely


def test_every_endpoint_of_the_index_has_an_example() -> None:
    """The 51 endpoints of partners.md §0.5 all have a request example (so the replay above
    reaches every one of them)."""
    if not PARTNERS.is_dir():
        pytest.skip("../shared/spec is absent")
    index = (PARTNERS.parent.parent / "partners.md").read_text(encoding="utf-8")
    rows = [line for line in index.splitlines() if line.startswith("| ")
            and len(line.split("|")) == 8 and line.split("|")[1].strip().isdigit()]
    assert len(rows) == 51
    stems = {Path(name).name.split(".", 1)[0] for name in _requests()}
    for row in rows:
        files = row.split("|")[6]
        stem = files.strip().strip("`").split(".", 1)[0]
        assert stem in stems, row
