"""<Redirect>: fetch another document (GET or POST) and run it instead of the rest of this one.

A failed fetch or a broken document is logged and the current document goes on
(the spec's behaviour); the session limits Redirects in a row (``redirect_limit``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from voxctl.engine.verbs.base import Outcome, runs
from voxctl.webhooks.documents import FetchError
from voxctl.xml import DocumentError
from voxctl.xml.verbs import Redirect

if TYPE_CHECKING:
    from voxctl.engine.session import CallSession


@runs(Redirect)
def run_redirect(session: CallSession, verb: Redirect) -> Outcome | None:
    url = session.resolve(verb.url)
    try:
        document = session.fetch(url, verb.method, session.document_params())
    except (FetchError, DocumentError) as exc:
        session.log.warning("<Redirect> to %s failed (%s: %s): going on with this document",
                            url, exc.code, exc.message)
        return None
    return Outcome.replace(document, url)
