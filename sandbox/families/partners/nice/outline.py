"""NICE company outline (partners.md H3, endpoint 46 ``companyShortOutline``).

One item per company with the fields of the 2020 sandbox sample (default): camelCase
``etbDate``, ``faBseDate``, ``korIdscdnm`` and the KSIC hierarchy ``idscdid_big`` …
``idscdid_mdetail`` / ``idscdnm_*``, ``fssentrcd``. Variant ``nice-excel-names``: exactly the
field list of the 2022 Excel (snake_case ``etb_date``, ``fa_bse_date``, ``kor_idscdnm``, plus
the Excel-only ``btpnm``, ``bzdnm*``, ``rbtpnm*``, ``scaledivcd``, ``sforeign`` … which the
sample lacks, without the sample-only KSIC hierarchy). Keys are sorted, as in the sample.

Values come from the company registry (:mod:`sandbox.world.partners.companies`); the
emulator's own choices (PROPOSED): ``eprdtldivcd`` per market, ``chulja`` "1" for a group
affiliate other than the group's main company, ``dtlcont`` a founding/listing note,
``repr_regno`` masked (""), ``upt_dtm`` the company's last update (a few days before the
world date, never later), ``sventure`` "Y" for young small KOSDAQ companies.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.families.partners.nice.models import company_of, envelope, yyyymmdd
from sandbox.world import partners
from sandbox.world.market.noise import derive, uniform
from sandbox.world.market.reference import reference
from sandbox.world.partners.companies import (
    MARKET_CODES,
    MARKET_NAMES,
    Address,
    Company,
    employees,
    profile,
)

if TYPE_CHECKING:
    from sandbox.world.world import World

#: The sample's field names that differ from the Excel's.
CAMEL = {"etb_date": "etbDate", "fa_bse_date": "faBseDate", "kor_idscdnm": "korIdscdnm"}
SAMPLE_ONLY = ("idscdid_big", "idscdid_medium", "idscdid_small", "idscdid_detail",
               "idscdid_mdetail", "idscdnm_big", "idscdnm_medium", "idscdnm_small",
               "idscdnm_detail", "idscdnm_mdetail", "fssentrcd")
EXCEL_ONLY = ("repr_regno", "btpnm", "eng_btpnm", "bzdnm", "bzdnm2", "bzdnm3", "rbtpnm",
              "rbtpnm2", "rbtpnm3", "eprdatastsdivcd", "scaledivcd", "zipareacdseq",
              "sforeign", "slandc", "smanda", "sventure", "upt_date", "kisreporturl")
LOGO = "image.kisline.com/logos/busi_b/s_8/thum/th_{bizno}.jpg"
UPDATE_LOOKBACK = 30


def _addresses(head: Address, factory: Address, office: Address) -> dict[str, str]:
    out: dict[str, str] = {}
    for suffix, address in (("", head), ("2", factory), ("3", office)):
        out.update({
            f"koraddr{suffix}": address.road, f"engaddr{suffix}": address.road_en,
            f"nolt_koraddr{suffix}": address.lot, f"nolt_engaddr{suffix}": address.lot_en,
            f"zarcd{suffix}": address.zip5, f"zcd{suffix}": address.zip6,
            f"zipareacdseq{suffix}": "001", f"tel{suffix}": address.tel,
            f"fax{suffix}": address.fax, f"x{suffix}": f"{address.x}.000000",
            f"y{suffix}": f"{address.y}.000000"})
    return out


def _industry(company: Company) -> dict[str, str]:
    ksic = company.industry
    levels = (("big", 0, ksic.section_name), ("medium", 2, ksic.division_name),
              ("small", 3, ksic.group_name), ("detail", 4, ksic.class_name),
              ("mdetail", 5, ksic.name))
    out = {"idscd": ksic.idscd, "idscdid": ksic.idscdid(), "kor_idscdnm": ksic.name,
           "eng_idscdnm": ksic.name_en, "btpnm": ksic.name, "eng_btpnm": ksic.name_en,
           "bzdnm": ksic.business[0], "bzdnm2": "", "bzdnm3": "",
           "mainpdtpcl": ksic.products[0], "eng_mainpdtpcl": ksic.products[1]}
    products = ksic.products[0].split(",")
    for k, suffix in enumerate(("", "2", "3")):
        out[f"rbtpnm{suffix}"] = products[k] if k < len(products) else ""
    for level, digits, name in levels:
        out[f"idscdid_{level}"] = ksic.idscdid(digits)
        out[f"idscdnm_{level}"] = name
    return out


def last_update(world: World, company: Company, today: date) -> str:
    """``upt_dtm``: the latest update day before ``today`` (about one day in five)."""
    seed = world.seed
    day = today - timedelta(days=1)
    for _ in range(UPDATE_LOOKBACK):
        if uniform(seed, "nice-update", company.kiscode, day) < 0.2:
            break
        day -= timedelta(days=1)
    seconds = 8 * 3600 + derive(seed, "nice-update-time", company.kiscode, day) % (11 * 3600)
    return (f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
            f"{seconds % 60:02d}.0")


def fields(world: World, company: Company, today: date) -> dict[str, str]:
    """Every outline field under its Excel name, plus the sample-only ones."""
    seed, inst = world.seed, company.inst
    facts = profile(seed, company)
    staff, staff_date = employees(world.base_market, company, today)
    listed = inst.list_date is not None and inst.list_date <= today
    group = facts.group
    small_kosdaq = inst.market == "kosdaq" and facts.size[2] == "3"
    updated = last_update(world, company, today)
    out = {
        "kiscode": company.kiscode, "bizno": company.bizno, "crpno": company.crpno,
        "stkcd": inst.code, "korentrnm": facts.name, "opt_entrnm": inst.name,
        "engentrnm": facts.name_en, "kor_itemnm": inst.name, "eng_itemnm": inst.name_en,
        "korreprcd": "/".join(p.code for p in facts.representatives),
        "korreprnm": "/".join(p.name for p in facts.representatives),
        "engreprnm": "/".join(p.name_en for p in facts.representatives), "repr_regno": "",
        "epr_cnu_yn": "Y", "crprgrnstscd": "00", "eprdtldivcd": facts.detail_code,
        "nts_sbqcdivcd": "03", "hupegbn": "일반과세자", "sbqc_date": "",
        "eprdatastsdivcd": "1", "eprmdydivcd": "1", "scl": facts.size[0],
        "eng_scl": facts.size[1], "scaledivcd": facts.size[2], "etl_ipc_yn": "Y",
        "ltgmktdivcd": MARKET_CODES.get(inst.market, "9") if listed else "9",
        "amnisuyn": "Y" if reference(seed, inst).administrative else "N",
        "obz_date": yyyymmdd(facts.founded), "sbn_date": "", "etb_date": yyyymmdd(facts.founded),
        "ltg_date": yyyymmdd(inst.list_date) if listed else "", "empnum": str(staff),
        "empnum_bse_date": yyyymmdd(staff_date), "fa_bse_date": yyyymmdd(staff_date),
        "stacmm": f"{reference(seed, inst).fiscal_month:02d}", "fadivcd": facts.fadivcd,
        "gicd": group.gicd if group else "", "grpnm": group.name if group else "",
        "eng_grpnm": group.name_en if group else "",
        "chulja": "1" if group is not None and group.main != facts.name else "0",
        "mainupche": group.main if group else "", "sido": facts.head.sido,
        "homepurl": facts.homepage, "eml": facts.email, "bnknm": facts.bank[0],
        "eng_bnknm": facts.bank[1], "bnk_brnm": facts.bank[2],
        "dtlcont": _note(company, facts.founded),
        "sforeign": "N", "slandc": "N", "smanda": "N",
        "sventure": "Y" if small_kosdaq and facts.founded.year >= 2000 else "N",
        "upt_dtm": updated, "upt_date": updated[:10].replace("-", ""),
        "logo": "http://" + LOGO.format(bizno=company.bizno),
        "logossl": "https://" + LOGO.format(bizno=company.bizno),
        "kisreporturl": f"https://www.kisreport.com/company/{company.kiscode}",
        "fssentrcd": facts.fss,
    }
    out.update(_industry(company))
    out.update(_addresses(facts.head, facts.factory, facts.office))
    return out


def _note(company: Company, founded: date) -> str:
    inst = company.inst
    listed = inst.list_date or founded
    return (f"{yyyymmdd(founded)} 설립 : {yyyymmdd(listed)} "
            f"{MARKET_NAMES.get(inst.market, '')} 상장")


def _sample_names(values: dict[str, str]) -> dict[str, str]:
    out = {CAMEL.get(name, name): value for name, value in values.items()
           if name not in EXCEL_ONLY and name != "zipareacdseq"}
    return dict(sorted(out.items()))


def _excel_names(values: dict[str, str]) -> dict[str, str]:
    return dict(sorted((k, v) for k, v in values.items() if k not in SAMPLE_ONLY))


def company_short_outline(world: World, query: dict[str, str], today: date
                          ) -> dict[str, Any]:
    """46: the outline of the company of ``kiscode`` and/or ``bizno``."""
    company = company_of(world, query, "kiscode", "bizno")
    if company is None:
        return envelope([])
    values = fields(world, company, today)
    excel = partners.variant(world, "nice-excel-names")
    return envelope([_excel_names(values) if excel else _sample_names(values)])

