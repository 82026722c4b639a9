#!/usr/bin/env python3
"""Lists C++ function definitions longer than a limit (default 60 lines).

A brace matcher, not a parser: comments, string and character literals and
preprocessor lines are blanked first; a brace block at namespace or class scope
whose header ends in a parameter list (with qualifiers, a trailing return type
or a constructor's initialiser list) is a function, and its length is counted
from the first line of its signature to its closing brace. Lambdas and local
classes inside a function count as part of it.

usage: tools/long-functions.py [--max N] [--exclude PREFIX]... PATH...
Exits 1 when it lists any.
"""
import argparse
import os
import re
import sys

EXTENSIONS = (".cpp", ".hpp", ".h", ".cc", ".ipp")


def blank(text):
    """Comments, literals and preprocessor lines replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            # A preprocessor line, with its continuations.
            j = i
            while j < n and not (text[j] == "\n" and text[j - 1] != "\\"):
                j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == "\n":
            line_start = True
            out.append(c)
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) \
                or (c in "uUL8" and re.match(r'(u8|u|U|L)R"', text[i:i + 4])):
            k = text.find('R"', i)
            open_paren = text.find("(", k)
            delim = text[k + 2:open_paren]
            j = text.find(")" + delim + '"', open_paren)
            j = n if j < 0 else j + len(delim) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum()
                                             and re.match(r"[0-9]", _number_start(text, i)))):
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _number_start(text, i):
    """The first character of the token that ends just before text[i]."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "'_."):
        j -= 1
    return text[j]


SCOPE = re.compile(r"(^|[\s;])(namespace|class|struct|union|enum)\b|^\s*extern\s*$")
CONTROL = re.compile(r"^\s*(if|for|while|switch|catch|do|else|try)\b")
FUNCTION_TAIL = re.compile(
    r"\)\s*(const|noexcept(\s*\([^)]*\))?|override|final|mutable|&&|&|->[^{;]*|requires[^{;]*|\s)*$")
INIT_LIST = re.compile(r"\)\s*(noexcept\s*)?:\s*[\w:<>]+\s*[({]")
# A constructor whose initialiser list has a braced member initialiser before its body.
INIT_LIST_PENDING = re.compile(r"\)\s*(noexcept\s*)?:\s*[^;]*$")


def functions(text):
    """(name, first line, last line) of each function at namespace or class scope."""
    code = blank(text)
    stack = []  # kinds of the open blocks: "scope", "function", "init", "other"
    found = []
    boundary = 0  # where the current declaration's header starts
    open_functions = []
    i = 0
    while i < len(code):
        c = code[i]
        if c == ";":
            if not stack or stack[-1] == "scope":
                boundary = i + 1
        elif c == "{":
            inside = any(kind != "scope" for kind in stack)
            header = code[boundary:i]
            if inside:
                kind = "other"
            elif SCOPE.search(header) and "(" not in header.split("{")[0].split("=")[0] or \
                    re.fullmatch(r"\s*extern\s*", header) or header.strip() == "":
                kind = "scope"
            elif (FUNCTION_TAIL.search(header) or INIT_LIST.search(header)) and not CONTROL.match(header):
                kind = "function"
            elif INIT_LIST_PENDING.search(header):
                # A constructor whose initialiser list uses braces: the brace is
                # a member's initialiser, the body comes later.
                kind = "init"
            else:
                kind = "other"
            if kind == "function":
                start = boundary + len(header) - len(header.lstrip())
                open_functions.append((name_of(header), code.count("\n", 0, start) + 1))
            stack.append(kind)
            if kind == "scope":
                boundary = i + 1
        elif c == "}":
            kind = stack.pop() if stack else "scope"
            if kind == "function":
                name, first = open_functions.pop()
                found.append((name, first, code.count("\n", 0, i) + 1))
            if not stack or stack[-1] == "scope":
                if kind != "init":
                    boundary = i + 1
        i += 1
    return found



def name_of(header):
    flat = " ".join(header.split())
    flat = re.sub(r"^template\s*<[^()]*?>\s*", "", flat)
    m = re.search(r"(~?[\w:]+(operator\s*\S+?)?)\s*\(", flat)
    return m.group(1) if m else flat[:60]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max", type=int, default=60, help="longest allowed, in lines (default 60)")
    parser.add_argument("--exclude", action="append", default=[], help="skip paths starting with this")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    files = []
    for path in args.paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                files += [os.path.join(root, name) for name in names if name.endswith(EXTENSIONS)]
        else:
            files.append(path)
    rows = []
    for path in sorted(files):
        if any(os.path.normpath(path).startswith(os.path.normpath(e)) for e in args.exclude):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name, first, last in functions(text):
            if last - first + 1 > args.max:
                rows.append((last - first + 1, f"{path}:{first}", name))
    for length, where, name in sorted(rows, reverse=True):
        print(f"{length:5d}  {where}  {name}")
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main())
