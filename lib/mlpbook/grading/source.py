"""Own work, read from the notebook's source code without running it: for a function that
lives in another process, whose objects cannot be trusted to describe themselves."""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import importlib.util
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .own import _Finder, _forbidden_names

CELL_SEPARATOR = "\n# -- next cell --\n"  # how the grader joins the notebook's code cells
_IMPORTERS = {"__import__", "import_module"}  # calls whose string argument is a module
_MAGIC = re.compile(r"\s*([%!]|[\w.,\s]+=\s*[%!])")
_BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _to_python(cell: str) -> str:
    """A cell's code as plain Python: IPython's own transformer turns magics (``%pwd``,
    ``!ls``, ``%%time``) into the calls IPython makes; without IPython, magic lines go."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return _drop_magics(cell)
    return TransformerManager().transform_cell(cell)


def _drop_magics(cell: str) -> str:
    """The cell without its magic lines (``%time …``, ``!ls``, ``x = %pwd``)."""
    return "\n".join(line for line in cell.splitlines() if not _MAGIC.match(line))


def _cell_magic_body(node) -> str | None:
    """The code of ``get_ipython().run_cell_magic(name, line, code)`` (``%%time`` runs it)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "run_cell_magic"
        and len(node.args) == 3
        and isinstance(node.args[2], ast.Constant)
        and isinstance(node.args[2].value, str)
    ):
        return node.args[2].value
    return None


def _parse(code: str) -> list[ast.Module]:
    """The trees of ``code``'s cells; code a cell magic runs is parsed as a cell of its own.

    A cell Python cannot parse even after the magics are turned into calls raised a
    SyntaxError in the notebook too: it defined nothing, so it has nothing to read.
    """
    trees = []
    pending = code.split(CELL_SEPARATOR)
    while pending:
        chunk = pending.pop(0)
        try:
            tree = ast.parse(_to_python(chunk))
        except SyntaxError:
            try:  # a magic this IPython does not know: read the rest of the cell
                tree = ast.parse(_drop_magics(chunk))
            except SyntaxError:
                continue
        trees.append(tree)
        for node in ast.walk(tree):
            body = _cell_magic_body(node)
            if body is not None:
                pending.append(body)
    return trees


def _statements(body: list) -> Iterable[ast.stmt]:
    """Statements at every nesting level (``if``, ``for``, ``with``, ``try``, ``match``)
    that run in the module's namespace: function and class bodies are left out."""
    for node in body:
        yield node
        if isinstance(node, _BLOCKS):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, field, None) or [])
        for handler in getattr(node, "handlers", None) or []:
            yield from _statements(handler.body)
        for case in getattr(node, "cases", None) or []:
            yield from _statements(case.body)


def _targets(node) -> list[str]:
    return [leaf.id for leaf in ast.walk(node) if isinstance(leaf, ast.Name)]


class _Module:
    """What the notebook's code binds at module level: name → imports, and nodes to read."""

    def __init__(self, trees: list[ast.Module]):
        self.imports: dict[str, set[str]] = {}
        self.defs: dict[str, list] = {}
        self.trees = trees
        for tree in trees:
            for node in _statements(tree.body):
                self.add(node)
            # `global f` in a function: the function may bind the module's f (read it whole)
            for func in ast.walk(tree):
                if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(func):
                        for name in inner.names if isinstance(inner, ast.Global) else ():
                            self.defs.setdefault(name, []).append(func)
            for inner in ast.walk(tree):
                if isinstance(inner, ast.NamedExpr):
                    self.defs.setdefault(inner.target.id, []).append(inner.value)

    def add(self, node) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, target in _imported(node).items():
                self.imports.setdefault(name, set()).add(target)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.defs.setdefault(node.name, []).append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for name in _assigned(node):
                self.defs.setdefault(name, []).append(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            for name in _targets(node.target):
                self.defs.setdefault(name, []).append(node.iter)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                for name in _targets(item.optional_vars) if item.optional_vars else ():
                    self.defs.setdefault(name, []).append(item.context_expr)


def _assigned(node) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [name for target in targets for name in _targets(target)]


def _imported(node) -> dict[str, str]:
    """The names an import statement binds → the dotted names they stand for."""
    out = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                out[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                out[top] = top
                out.setdefault("\0" + alias.name, alias.name)  # the import itself is checked
    else:
        module = node.module or ""
        for alias in node.names:
            target = f"{module}.{alias.name}" if module else alias.name
            out[alias.asname or alias.name] = module if alias.name == "*" else target
    return out


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _chain(node) -> tuple[str, bool] | None:
    """``("a.b.c", False)`` for an attribute chain on a name (``getattr(a, "b")`` counts as
    ``a.b``); ``("m.c", True)`` for one on ``__import__("m")`` or ``import_module("m")``."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and _literal(node.args[1])
        ):
            parts.append(_literal(node.args[1]))
            node = node.args[0]
        else:
            break
    absolute = False
    if isinstance(node, ast.Name):
        head = node.id
    elif isinstance(node, ast.Call) and node.args and _literal(node.args[0]):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _IMPORTERS:
            return None
        head, absolute = _literal(node.args[0]), True
    else:
        return None
    return ".".join([head, *reversed(parts)]), absolute


def answer_modules_in(code: str) -> tuple[str, ...]:
    """The modules declared by ``grading.answer_modules("…", …)`` calls in ``code`` (a
    notebook's cells, joined by the grader's separator), read without running it."""
    found: list[str] = []
    for tree in _parse(code):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "answer_modules":
                for arg in node.args:
                    if _literal(arg) and _literal(arg) not in found:
                        found.append(_literal(arg))
    return tuple(found)


def _copy_key(node) -> tuple | None:
    """What identifies a function's code: its docstring, arguments and body (not its name)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    doc = ast.get_docstring(node, clean=False)
    if not doc:
        return None
    return (doc, ast.dump(node.args), ast.dump(ast.Module(body=node.body, type_ignores=[])))


@functools.lru_cache(maxsize=64)
def _functions_in(module: str, origin: str, mtime_ns: int) -> tuple[tuple[tuple, str], ...]:
    """The documented functions of one module's source file, parsed once per version."""
    tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    return tuple(
        (key, f"{module}.{node.name}") for node in ast.walk(tree) if (key := _copy_key(node))
    )


def _library_functions(modules: Iterable[str]) -> dict[tuple, str]:
    """The documented functions (and methods) of the forbidden modules' sources."""
    out: dict[tuple, str] = {}
    for module in modules:
        with contextlib.suppress(
            ImportError, ValueError, AttributeError, OSError, SyntaxError, TypeError
        ):
            origin = importlib.util.find_spec(module).origin
            for key, name in _functions_in(module, origin, os.stat(origin).st_mtime_ns):
                out.setdefault(key, name)
    return out


def find_forbidden_in_source(
    code: str, name: str, forbidden: Iterable, trusted: Iterable[str] = ()
) -> tuple | None:
    """`find_forbidden` on source code, without running it.

    Parameters
    ----------
    code : str
        The student's code: their cells, joined by the line ``# -- next cell --``.
    name : str
        The graded function (or class) defined in ``code``.
    forbidden, trusted
        As for `find_forbidden`; forbidden objects are matched by their dotted names, and
        the library modules that import a forbidden module are forbidden too.

    Notes
    -----
    IPython magics are turned into Python as IPython does (``x = %pwd``; the code of a
    ``%%time`` cell is read as a cell). What is read: imports (``import mlpbook.perceptron
    as p``, ``from mlpbook import perceptron``, inside functions too), the names and
    attribute chains the function's definition uses (body, defaults, decorators;
    ``getattr(m, "name")`` and ``__import__("m")`` included), the helpers, classes and
    module-level assignments those names refer to, at every nesting level of the module's
    code (inside ``if``, ``for``, ``with``, ``try``; a ``global`` assignment in a function
    counts), recursively, string constants naming a forbidden module, and pasted copies of
    a forbidden module's documented functions. A function no readable code defines (made by
    ``exec``, or by ``globals()[…] = …``) is reported, not passed. Code built at run time
    (``__import__("mlp" + "book")``) escapes it.
    """
    items = _forbidden_names(list(forbidden))
    finder = _Finder(items, trusted)
    objects = set(finder.objects.values())
    roots = {m.split(".")[0] for m in finder.modules} | {o.split(".")[0] for o in objects}

    def bad(dotted: str) -> str | None:
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in objects or finder.in_modules(prefix):
                return prefix
        # a re-export (`mlpbook.X` defined in a forbidden module): look it up, importing
        # only the library the forbidden names belong to
        if parts[0] in roots and len(parts) > 1:
            with contextlib.suppress(Exception):
                obj = importlib.import_module(parts[0])
                for attr in parts[1:]:
                    obj = getattr(obj, attr)
                return finder.forbidden(obj)
        return None

    def bad_string(text: str) -> bool:
        if finder.in_modules(text):
            return True
        # code in a string (for exec): its imports and dotted names
        return any(
            re.search(rf"(?<![\w.]){re.escape(m)}(?![\w])", text) for m in finder.modules
        ) or bool(re.search(r"\bimport\b", text) and _imports_bad(text))

    def _imports_bad(text: str) -> bool:
        with contextlib.suppress(SyntaxError, ValueError):
            for node in ast.walk(ast.parse(text)):
                imports = isinstance(node, (ast.Import, ast.ImportFrom))
                if imports and any(bad(t) for t in _imported(node).values()):
                    return True
        return False

    module = _Module(_parse(code))
    copies = _library_functions(finder.modules)
    trusted_names = set(trusted)
    seen: set[str] = set()

    def read(nodes: list, path: tuple, skip: str = "") -> tuple | None:
        for node in nodes:
            copied = copies.get(_copy_key(node))
            if copied:
                return (*path, f"a copy of {copied}")
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    for target in _imported(inner).values():
                        if bad(target):
                            return (*path, f"import {target}")
                elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    if bad_string(inner.value):
                        return (*path, f"the string {inner.value!r}")
                elif isinstance(inner, (ast.Name, ast.Attribute, ast.Call)):
                    chain = _chain(inner)
                    if chain is None:
                        continue
                    dotted, absolute = chain
                    if absolute:
                        found = bad(dotted)
                        if found:
                            return (*path, found)
                        continue
                    head, _, rest = dotted.partition(".")
                    for target in sorted(module.imports.get(head, ())):
                        found = bad(target + ("." + rest if rest else ""))
                        if found:
                            return (*path, found)
                    if head in module.defs and head != skip and head not in trusted_names:
                        found = walk(head, path)
                        if found:
                            return found
        return None

    def walk(label: str, path: tuple) -> tuple | None:
        if label in seen:
            return None
        seen.add(label)
        return read(module.defs[label], (*path, label), skip=label)

    if name in module.defs:
        return walk(name, ())
    if name in module.imports:
        for target in sorted(module.imports[name]):
            found = bad(target)
            if found:
                return (name, found)
        return None
    # defined by code that cannot be read (exec, globals()): say what the module's code uses
    everything = [node for tree in module.trees for node in tree.body]
    found = read(everything, ())
    if found:
        return (name, "code outside any def that uses " + found[-1])
    return (name, "code the grader cannot read (no def, assignment or import of it)")
