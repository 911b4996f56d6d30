"""The selectable master (selective.md §1-§2): bare item keys, at most 10, master-equal values."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from sandbox.app import SandboxState
from tests.conftest import F9999_KEY, example, market_get, set_clock

PATH = "/v2/market/stocks/kospi/005930/selectivemaster"


def select(client: FlaskClient, query: str, path: str = PATH) -> Any:
    return client.get(f"{path}?{query}", headers={"apikey": F9999_KEY})


def test_items_answer_the_master_values_with_the_key_as_spelled(client: FlaskClient) -> None:
    master = market_get(client, "/v2/market/stocks/kospi/005930/master").get_json()["result"]
    response = select(client, "prevddClsprc&basPrc&krx100IsuYn&IsuEngNm&listShrs&eps")
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["result"]
    assert list(result) == ["isuSrtCd", "prevddClsprc", "basPrc", "krx100IsuYn", "IsuEngNm",
                            "listShrs", "eps"]
    assert result["isuSrtCd"] == "005930"
    assert result["krx100IsuYn"] == master["isuTrdvol"]
    assert result["IsuEngNm"] == master["isuEngNm"]
    for key in ("prevddClsprc", "basPrc", "listShrs", "eps"):
        assert result[key] == master[key]


def test_the_2022_example_shape(client: FlaskClient) -> None:
    documented = example("market/v3/v3_closed_kospi_selectivemaster.response.json")
    body = select(client, "prevddClsprc").get_json()
    assert set(body["result"]) == set(documented["result"])
    assert isinstance(body["result"]["prevddClsprc"], int)


def test_moving_averages_and_52_weeks_agree_with_history(client: FlaskClient) -> None:
    rows = market_get(client, "/v2/market/stocks/kospi/005930/history", trnsmCycleTpCd="D",
                      inqStrtDd="20260101", inqEndDd="20261123", reqCnt="100"
                      ).get_json()["result"]["hisLists"]
    closes = [r["trdPrc"] for r in rows]
    result = select(client, "dd5AvgPrc&dd20AvgPrc&dd5AvgTrdVol&dd5AvgDp&wk52HgstPrc"
                            "&wk52LwstPrc&wk52HgstprcDd&BzDd&trdDd").get_json()["result"]
    assert result["dd5AvgPrc"] == round(sum(closes[:5]) / 5)
    assert result["dd20AvgPrc"] == round(sum(closes[:20]) / 20)
    assert result["dd5AvgTrdVol"] == round(sum(r["accTrdvol"] for r in rows[:5]) / 5)
    assert result["dd5AvgDp"] == round(closes[0] / (sum(closes[:5]) / 5) * 100, 2)
    assert result["wk52HgstPrc"] >= max(r["hgprc"] for r in rows)
    assert result["wk52LwstPrc"] <= min(r["lwprc"] for r in rows)
    assert result["wk52HgstPrc"] >= result["wk52LwstPrc"] > 0
    assert result["BzDd"] == 20261124 and result["trdDd"] == "20261124"


def test_short_selling_items_are_the_previous_days_shortsell_row(client: FlaskClient) -> None:
    row = market_get(client, "/v2/market/stocks/kospi/005930/shortsell", inqStrtDd="20261123",
                     inqEndDd="20261123").get_json()["result"]["hisLists"][0]
    result = select(client, "srtsellTrdVol&srtsellTrdvol&srtsellTrdAmt&lendBalQty&lendBalAmt"
                    ).get_json()["result"]
    assert result["srtsellTrdVol"] == result["srtsellTrdvol"] == row["srtsellTrdVol"]
    assert (result["srtsellTrdAmt"], result["lendBalQty"], result["lendBalAmt"]) == (
        row["srtsellTrdAmt"], row["lendBalQty"], row["lendBalAmt"])


def test_reference_items(client: FlaskClient) -> None:
    result = select(client, "liquShrs&DebtRt&CrdtGrd&Cap&srtsellOverheatDd&apikey="
                    + F9999_KEY).get_json()["result"]
    assert 0 < result["liquShrs"] <= 5_969_782_550 * 2
    assert isinstance(result["DebtRt"], float | int) and isinstance(result["CrdtGrd"], str)
    assert result["Cap"] > 0 and result["srtsellOverheatDd"] == 0
    assert "apikey" not in result


def test_item_errors(client: FlaskClient) -> None:
    none = select(client, "")
    assert none.status_code == 400
    assert none.get_json() == {"error": "입력사항 확인 후 재 조회 하십시오"}
    eleven = "&".join(["basPrc", "eps", "bps", "per", "pbr", "dps", "divYd", "sbPrc", "parval",
                       "listDd", "listShrs"])
    assert select(client, eleven).get_json() == {
        "error": "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다"}
    unknown = select(client, "basPrc&nosuchItem")
    assert unknown.get_json() == {"error": "데이터 FID가 존재 하지 않습니다"}
    assert "nosuchItem" in unknown.headers["X-Sandbox-Error-Detail"]
    assert select(client, "basPrc&basPrc").get_json()["result"] == {
        "isuSrtCd": "005930",
        "basPrc": market_get(client, "/v2/market/stocks/kospi/005930/master"
                             ).get_json()["result"]["basPrc"]}


def test_batch_day_before_0630_and_an_etf(client: FlaskClient, state: SandboxState) -> None:
    set_clock(state, "2026-11-24T06:00:00+09:00")
    result = select(client, "trdDd&BzDd").get_json()["result"]
    assert result == {"isuSrtCd": "005930", "trdDd": "20261123", "BzDd": 20261123}
    etf = select(client, "prevddNav&secugrpId",
                 "/v2/market/stocks/kospi/069500/selectivemaster").get_json()["result"]
    assert etf["secugrpId"] == "EF" and etf["prevddNav"] > 0
