"""Words as a program receives them: quotes and escapes resolved, expansions kept as written."""

from __future__ import annotations

import re

# A shell variable name at the start of VAR=value (an array index allowed: a[1]=x, a+=x).
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\n]*\])?\+?=")
# Any character that quotes, escapes or expands: without one, a word is its own value.
_QUOTING = re.compile(r"[\\'\"$`]")
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "v": "\v"}


# --------------------------------------------------------------------------
# Words


def clean_line(line: str) -> str:
    """``line`` without its trailing CR, other CR and LF characters turned into spaces."""
    # One physical line per entry: stray CR and embedded newlines would shift line numbers.
    return line.rstrip("\r").replace("\r", " ").replace("\n", " ")


def safe_text(text: str) -> str:
    """Text tree-sitter can take: lone surrogates and NUL become U+FFFD (one character for one)."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace("\x00", "\ufffd")


def is_assignment(word: str) -> bool:
    """Whether ``word`` starts with a shell assignment (``NAME=``, ``a[1]=``, ``a+=``)."""
    return _ASSIGNMENT.match(word) is not None


def written_tail(value: str, written: str, tail: str) -> str | None:
    """How ``tail``, the end of the word ``value`` (as received), is written in ``written`` (the same word as written).

    ``--cidr=10.0.0.0/8`` written ``--cidr="10.0.0.0/8"``: the tail
    ``10.0.0.0/8`` is written ``"10.0.0.0/8"``. ``None`` when the part before
    the tail is not written plainly (``"--cidr=10.0.0.0/8"``): the quotes are
    around more than the tail, so nothing is written around the tail alone.
    """
    cut = len(value) - len(tail)
    if cut < 0 or not value.endswith(tail) or not written.startswith(value[:cut]):
        return None
    if _QUOTING.search(written, 0, cut) is not None:
        return None
    return written[cut:]


def dequote(raw: str) -> str:
    """The word a program receives from ``raw``: quotes and escapes resolved, expansions kept."""
    if _QUOTING.search(raw) is None:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        char = raw[i]
        if char == "\\":
            if i + 1 < n:
                if raw[i + 1] != "\n":
                    out.append(raw[i + 1])
                i += 2
            else:
                out.append(char)
                i += 1
        elif char == "'":
            close = raw.find("'", i + 1)
            close = n if close < 0 else close
            out.append(raw[i + 1 : close])
            i = close + 1
        elif char == "$" and i + 1 < n and raw[i + 1] == "'":
            i = _ansi_c(raw, i + 2, out)
        elif char == "$" and i + 1 < n and raw[i + 1] == '"':
            i = _double_quoted(raw, i + 2, out)
        elif char == '"':
            i = _double_quoted(raw, i + 1, out)
        elif char == "$" and i + 1 < n and raw[i + 1] in "({":
            end = skip_expansion(raw, i)
            out.append(raw[i:end])
            i = end
        elif char == "`":
            end = skip_expansion(raw, i)
            out.append(raw[i:end])
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _double_quoted(raw: str, i: int, out: list[str]) -> int:
    n = len(raw)
    while i < n:
        char = raw[i]
        if char == '"':
            return i + 1
        if char == "\\" and i + 1 < n and raw[i + 1] in '$`"\\\n':
            if raw[i + 1] != "\n":
                out.append(raw[i + 1])
            i += 2
        elif (char == "$" and i + 1 < n and raw[i + 1] in "({") or char == "`":
            end = skip_expansion(raw, i)
            out.append(raw[i:end])
            i = end
        else:
            out.append(char)
            i += 1
    return n


def _ansi_c(raw: str, i: int, out: list[str]) -> int:
    n = len(raw)
    while i < n:
        char = raw[i]
        if char == "'":
            return i + 1
        if char == "\\" and i + 1 < n:
            code = raw[i + 1]
            if code in _ANSI_ESCAPES:
                out.append(_ANSI_ESCAPES[code])
                i += 2
            elif code in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[code]
                digits = ""
                j = i + 2
                while j < n and len(digits) < width and raw[j] in "0123456789abcdefABCDEF":
                    digits += raw[j]
                    j += 1
                if digits and int(digits, 16) <= 0x10FFFF:
                    out.append(chr(int(digits, 16)))
                else:
                    out.append(raw[i:j])
                i = j
            elif code in "01234567":
                j = i + 1
                while j < n and j < i + 4 and raw[j] in "01234567":
                    j += 1
                out.append(chr(int(raw[i + 1 : j], 8) % 256))
                i = j
            else:
                out.append(code if code in "\\'\"?" else "\\" + code)
                i += 2
        else:
            out.append(char)
            i += 1
    return n


def skip_expansion(raw: str, i: int) -> int:
    """The index just past the ``$(...)``, ``${...}``, ``$((...))`` or backtick span at ``i``.

    One forward pass with a stack of open brackets and quotes, so nested
    quotes and parentheses are matched in linear time. An unclosed span runs
    to the end of ``raw``.
    """
    n = len(raw)
    stack: list[str] = []
    if raw[i] == "`":
        stack.append("`")
        i += 1
    else:
        stack.append(")" if raw[i + 1] == "(" else "}")
        i += 2
    while i < n and stack:
        char = raw[i]
        top = stack[-1]
        if char == "\\":
            i += 2
            continue
        if top == "'":
            if char == "'":
                stack.pop()
        elif top == "`":
            if char == "`":
                stack.pop()
        elif top == '"':
            if char == '"':
                stack.pop()
            elif char == "$" and i + 1 < n and raw[i + 1] in "({":
                stack.append(")" if raw[i + 1] == "(" else "}")
                i += 1
            elif char == "`":
                stack.append("`")
        else:
            if char == top:
                stack.pop()
            elif char == "(":
                stack.append(")")
            elif char == "{" and top == "}":
                stack.append("}")
            elif char in "'\"`":
                stack.append(char)
        i += 1
    return min(i, n)
