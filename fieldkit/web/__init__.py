"""The enumerator's form in a browser, served by the laptop itself, with no network.

    fieldkit serve --db laptop.sqlite            # prints http://127.0.0.1:8765/?token=...

The same engine (``fieldkit.capture``) and store (``LaptopStore``) as the terminal front
end; pages rendered on the server, one small script for keyboard shortcuts, nothing loaded
from elsewhere. Modules: ``desk`` (forms, store, interviews in progress), ``screens`` (a
page from the engine's prompts, a submitted page back to answers), ``guard`` (loopback,
secret, cookie, CSRF, headers), ``routes_*`` (the pages), ``app`` (assembly), ``server``
(uvicorn on 127.0.0.1), ``unlock`` (opening the store), ``texts`` (the page's own words).
"""

from __future__ import annotations

from fieldkit.web.app import create_app
from fieldkit.web.desk import Desk, Live
from fieldkit.web.guard import Keys
from fieldkit.web.server import load_study, serve

__all__ = ["Desk", "Keys", "Live", "create_app", "load_study", "serve"]
