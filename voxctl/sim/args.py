"""Application argument splitting as FreeSWITCH's ``switch_separate_string`` does it."""
from __future__ import annotations

# how FreeSWITCH's splitter unescapes a backslashed character (dial-string values)
UNESCAPE = {"s": " ", "n": "\n", "r": "\r", "t": "\t"}


def split_args(text: str, max_fields: int = 0, sep: str = " ", escapes: bool = False) -> list[str]:
    """Split on ``sep`` outside single/double quotes, removing the quotes.

    With ``max_fields`` the last field keeps the unsplit rest, so unquoted
    arguments containing spaces shift every later argument (trace 17). With
    ``escapes`` a backslash keeps the next character (``\\s`` is a space, ``\\,`` a comma).
    """
    fields: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if max_fields and len(fields) == max_fields - 1:
            rest = text[i:].strip()
            if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "'\"":
                rest = rest[1:-1]
            fields.append("".join(current) + rest)
            return fields
        if escapes and ch == "\\" and i + 1 < len(text):
            current.append(UNESCAPE.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if quote:
            if ch == quote:
                quote = ""
            else:
                current.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == sep:
            if current:
                fields.append("".join(current))
                current = []
        else:
            current.append(ch)
        i += 1
    if current:
        fields.append("".join(current))
    return fields


def split_vars(text: str, sep: str = ",", escapes: bool = False) -> dict[str, str]:
    """``a=1,b='x,y'`` -> {"a": "1", "b": "x,y"} (originate/dial-string variables; ``escapes``: see
    :func:`split_args`)."""
    out: dict[str, str] = {}
    for item in split_args(text, sep=sep, escapes=escapes):
        name, eq, value = item.partition("=")
        if eq:
            out[name.strip()] = value
    return out
