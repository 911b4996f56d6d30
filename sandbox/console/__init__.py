"""The sandbox console at ``/_sandbox/ui``: a few pages for developers and QA over the admin API.

A Flask blueprint serving one Jinja page (``templates/console.html``) at ``/_sandbox/ui`` and
``/_sandbox/ui/<view>``, and its static files (plain ES modules, CSS and the vendored uPlot
chart library, no build step, no CDN) under ``/_sandbox/ui/static/``. The page reads and
changes the world only through the admin API (``/_sandbox/*``, ``fetch``) and follows it live
through the admin event stream (``GET /_sandbox/events``). These routes are not platform
operations: they are not in the registry, the OpenAPI document or the request journal.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from sandbox import __version__
from sandbox.errors import NotFound

PREFIX = "/_sandbox/ui"
# view name -> nav label; the order of the navigation bar
VIEWS = {"apps": "Apps", "users": "Users", "market": "Market", "orders": "Orders",
         "journal": "Journal", "scenarios": "Scenarios", "clock": "Clock & reset"}

blueprint = Blueprint("console", __name__, url_prefix=PREFIX, template_folder="templates",
                      static_folder="static", static_url_path="/static")


@blueprint.get("", strict_slashes=False)
@blueprint.get("/<view>")
def page(view: str = "apps") -> str:
    """The console page; the client-side router mounts ``view`` (links change it in place)."""
    if view not in VIEWS:
        raise NotFound(f"the console has no view {view[:40]!r}; views: {', '.join(VIEWS)}")
    return render_template("console.html", view=view, views=VIEWS, version=__version__)


def install(app: Flask) -> None:
    app.register_blueprint(blueprint)
