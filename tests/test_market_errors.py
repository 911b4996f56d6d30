"""Market-data errors render as HTTP 400 {"error": <Korean message>} (market README §3.2)."""

from __future__ import annotations

from sandbox.errors import render
from sandbox.families.market import exceptions


def test_market_errors_render_the_documented_body(app: object) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    with app.app_context():
        response = render(exceptions.IssueNotFound())
    assert response.status_code == 400
    assert response.get_json() == {"error": "종목코드가 존재 하지 않습니다"}
    assert exceptions.IssueNotFound.code == 10040
    assert exceptions.NotYetPublished().body() == {"error": "당일 종가 제공 시간이 아닙니다."}
    assert exceptions.QueryTypeNotFound().body() == {"error": "조회유형이 존재 하지 않습니다"}
