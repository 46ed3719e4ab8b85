"""The one exception a document can raise, with the codes the VoxXML spec defines."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voxctl.xml.verbs import Warning_

ROOT_MISSING = 5105   # root element "Response" missing
BAD_SYNTAX = 5106     # bad syntax: XML errors, unknown or misplaced verbs, invalid values


class DocumentError(Exception):
    """A document that cannot run: ``code`` (5105/5106), ``message``, ``line``, ``verb``.

    ``column`` is set for XML syntax errors; ``warnings`` holds what the parser had
    noticed before it stopped (so ``voxctl lint`` can show everything at once).
    """

    def __init__(self, code: int, message: str, line: int = 0, verb: str = "",
                 column: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.verb = verb
        self.column = column
        self.warnings: list[Warning_] = []

    def __str__(self) -> str:
        # syntax errors name their line and column in the message already
        where = f" line {self.line}" if self.line and self.column is None else ""
        verb = f" <{self.verb}>" if self.verb else ""
        return f"{self.code}{where}{verb}: {self.message}"

    def __repr__(self) -> str:
        return f"DocumentError({self.code}, {self.message!r}, line={self.line}, verb={self.verb!r})"
