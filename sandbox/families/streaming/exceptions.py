"""JSON-RPC errors of the market WebSockets (streaming.md §6; codes from the market code table).

Each carries the documented ``code`` and Korean ``message``; ``detail`` goes to the JSON-RPC
``data`` member so a client learns what exactly was wrong (the platform sends no ``data``).
``close`` says whether the session ends after the reply (a bad key, a second session).
"""

from __future__ import annotations


class StreamError(Exception):
    code = 0
    message = ""
    close = False

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message)
        self.detail = detail


def _error(name: str, code: int, message: str, close: bool = False) -> type[StreamError]:
    return type(name, (StreamError,), {"code": code, "message": message, "close": close})


NotJsonRpc = _error("NotJsonRpc", 47, "정상적인 JSON-RPC 형식이 아닙니다")
UnknownMethod = _error("UnknownMethod", 10000, "조회유형이 존재 하지 않습니다")
UnknownPreset = _error("UnknownPreset", 10000, "조회유형이 존재 하지 않습니다")
NotInitialised = _error("NotInitialised", 10070, "고객정보가 일치하지 않습니다")
BadKey = _error("BadKey", 10070, "고객정보가 일치하지 않습니다", close=True)
UnknownIssue = _error("UnknownIssue", 10040, "종목코드가 존재 하지 않습니다")
ItemNotAllowed = _error("ItemNotAllowed", 10050, "데이터 FID가 존재 하지 않습니다")
TooManySubscriptions = _error("TooManySubscriptions", 20056,
                              "생성 가능한 종목수를 초과하였습니다")
NotSubscribed = _error("NotSubscribed", 20057, "등록하신 종목이 아닙니다")
SessionTaken = _error("SessionTaken", 13004, "잠시후 재접속을 하여주시기 바랍니다", close=True)
