"""Views of the haystack partner service (Wyverple news search, partners.md G1 #19-22).

The literal paths (``entities/company/_search``, ``topics/trending/news``) win over the
``<categories>/<sections>`` pattern: the router prefers static segments.
"""

from __future__ import annotations

from typing import Any

from sandbox.families.partners.haystack import models
from sandbox.families.partners.ops import partner_op
from sandbox.gateway.call import Call

BASE = "/v1/haystack"


@partner_op("haystack", "news_search", "GET", f"{BASE}/<categories>/<sections>/_search",
            summary="G1 #19 news search by query, categories and sections (paged)")
def news_search(call: Call) -> dict[str, Any]:
    path = call.path_params
    return models.search(call.world, path["categories"], path["sections"], call.body)


@partner_op("haystack", "trends", "GET", f"{BASE}/<categories>/<sections>/_trends",
            summary="G1 #20 number of matching articles per 1d/1w/1M/1y bucket")
def trends(call: Call) -> dict[str, Any]:
    path = call.path_params
    return models.trends(call.world, path["categories"], path["sections"], call.body)


@partner_op("haystack", "entities_company_search", "GET", f"{BASE}/entities/company/_search",
            summary="G1 #21 listed companies co-occurring with the query (peers of a company)")
def entities_company_search(call: Call) -> dict[str, Any]:
    return models.companies(call.world, call.body)


@partner_op("haystack", "topics_trending_news", "GET", f"{BASE}/topics/trending/news",
            f"{BASE}/topics/trending/news/<section>",
            summary="G1 #22 keyword clusters trending in the last 24 hours")
def topics_trending_news(call: Call) -> dict[str, Any]:
    return models.trending(call.world, call.path_params.get("section"))
