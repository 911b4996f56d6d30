"""The institution's accounts and their balances (b2baccount.md §3, §5).

* ``accountlist``: the institution's discretionary accounts at the broker of the path
  (``comId`` header = the institution), terminated and expired ones included.
* ``balancelist``: one ``balance`` entry for the account, with three ``cashBalInfo`` rows —
  ``KRW-D0`` (settled), ``KRW-D1``, ``KRW`` (execution basis, D+2) — and the positions of
  ``qrAssetType`` valued at the clock's instant by the market simulator (§3 [proposed]);
  ``earningRate`` in percent with 2 decimals (Q5). Paging runs over the positions. The
  08:30/16:00 query window (§7) is enforced only with ``--strict``.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from sandbox.families.b2baccount import exceptions as exc
from sandbox.families.b2baccount.access import Search, code_info
from sandbox.world.accounts import discretionary
from sandbox.world.accounts.holdings import Line, Statement, statement_of
from sandbox.world.market import calendar as cal

QUERY_WINDOW = (time(8, 30), time(16, 0))  # balancelist/settlelist: before 08:30, after 16:00


def accountlist(search: Search) -> dict[str, Any]:
    accounts = discretionary.accounts_of(search.world, search.com_id, search.name)
    rows = [{"accNo": a.acc_no, "accName": a.acc_name, "virtualAccNo": a.virtual_acc_no,
             "contractStatus": a.contract_status} for a in accounts]
    page, key = search.paged(rows)
    return search.answer(len(rows), key, len(page), {"accountList": {"account": page}})


def check_query_window(search: Search) -> None:
    """§7: only before 08:30 and after 16:00 KST, in strict mode."""
    now = cal.kst(search.world.now()).time()
    if search.world.settings.strict and QUERY_WINDOW[0] <= now < QUERY_WINDOW[1]:
        raise exc.BrokerBadRequest(search.name, "balancelist and settlelist answer only before "
                                                "08:30 and after 16:00 KST",
                                   detail="조회 가능 시간이 아닙니다 (08:30 이전, 16:00 이후)")


def balancelist(search: Search) -> dict[str, Any]:
    account = search.account()
    group = search.asset_type()
    world = search.world
    statement = statement_of(world, discretionary.book_of(world, account))
    lines = statement.group(group)
    page, key = search.paged(lines)
    check_query_window(search)
    entry = {"accInfo": {"accNo": account.acc_no, "accName": account.acc_name},
             "cashBalInfo": _cash_rows(statement),
             "securitiesBalInfo": [_position(search, line) for line in page]}
    return search.answer(len(lines), key, len(page), {"balanceList": {"balance": [entry]}})


def _cash_rows(statement: Statement) -> list[dict[str, Any]]:
    """The three settlement bases (§3): D+0 settled, D+1, and the execution basis (D+2)."""
    return [{"cashBalance": cash, "margin": 0, "substitute": statement.substitute,
             "receivable": 0, "totCreditAmt": 0, "totLoanAmt": 0, "valAtCur": statement.value,
             "crcyCode": basis, "cashAvWithdraw": statement.withdrawable}
            for basis, cash in (("KRW-D0", statement.cash), ("KRW-D1", statement.d1),
                                ("KRW", statement.d2))]


def _position(search: Search, line: Line) -> dict[str, Any]:
    return {
        "assetType": line.asset_type or "FUND", "exchange": None, "crcyCode": None,
        "loanCreditType": None, "loanCreditAmt": 0, "qty": line.qty, "valAtTrade": line.cost,
        "valAtCur": line.value, "proLoss": line.pro_loss, "earningRate": line.earning_rate,
        "lastBuyDate": f"{line.last_buy:%Y%m%d}",
        "maturity": None if line.maturity == "00000000" else line.maturity,
        "foreignDeposit": 0, "wonDeposit": 0, "currencyRate": 0,
        "isinInfo": code_info(search.world, line.code),
    }
