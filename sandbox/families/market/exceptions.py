"""Market-data errors: the documented codes 10000-20180 and their Korean messages.

Carried as HTTP 400 ``{"error": message}`` (market README §3.2, codes.md §8); the numeric code
is kept on the exception for the journal and tests.
"""

from __future__ import annotations

from sandbox.errors import MarketError


def _error(code: int, message: str) -> type[MarketError]:
    return type(f"MarketError{code}", (MarketError,), {"code": code, "message": message})


QueryTypeNotFound = _error(10000, "조회유형이 존재 하지 않습니다")  # unknown marketcode
NoData = _error(10010, "데이터가 존재 하지 않습니다")
IssueNotFound = _error(10040, "종목코드가 존재 하지 않습니다")
DataFidNotFound = _error(10050, "데이터 FID가 존재 하지 않습니다")  # unknown selectable item
BadPeriod = _error(20010, "기간입력이 잘못되었습니다")
NoDataForDate = _error(20020, "해당 년,월,일에 자료가 없습니다")
NoDataForQuery = _error(20050, "해당 조회 코드에 자료가 없습니다")
InputError = _error(20055, "입력 에러입니다.입력하신 데이터를 다시 확인하시기 바랍니다")
TooManyIssues = _error(20056, "생성 가능한 종목수를 초과하였습니다")
IssueCodeMissing = _error(20060, "종목코드를 입력하십시요")
CheckInput = _error(20120, "입력사항 확인 후 재 조회 하십시오")  # no selectable item
FutureDate = _error(20100, "미래일 이어서 Data가 없습니다")
NonBusinessDay = _error(20110, "비영업일 이어서 Data가 없습니다")
# No numeric code: the closing-data endpoints before their publication time (ERRATA 26).
NotYetPublished = _error(0, "당일 종가 제공 시간이 아닙니다.")
