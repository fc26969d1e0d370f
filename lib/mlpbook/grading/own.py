"""Own work: which library modules hold an assignment's answers, and whether a graded
function reaches them (reading the live objects; `source` reads the code instead)."""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import importlib.util
import sys
import types
import warnings
from collections.abc import Iterable
from pathlib import Path

from ._text import fail

_declared: list[str] = []  # the answer modules, in the order declared


def answer_modules(*modules: str) -> None:
    """Declare the library modules that hold this assignment's answers (called once, in
    the notebook's set-up cell, with string literals: the grader reads the call too).

    `assert_own_implementation` then forbids them, and every library module that imports
    one of them (`modules_exposing`). Declarations add up: a later call cannot take a
    module back.
    """
    for module in modules:
        if not isinstance(module, str) or not all(p.isidentifier() for p in module.split(".")):
            raise TypeError(f"answer_modules takes dotted module names, not {module!r}")
        if module not in _declared:
            _declared.append(module)


def declared_answer_modules() -> tuple[str, ...]:
    """The modules declared by `answer_modules` so far."""
    return tuple(_declared)


def _imports_in(path: Path, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules whose names a source file binds, or whose objects it imports: ``import
    a.b`` binds ``a`` and reaches ``a.b``; ``from a import c`` the module ``a.c``, or else
    an object of ``a`` (whose globals lead to everything ``a`` imports)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= {alias.name, alias.name.split(".")[0]}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return found


def _within(name: str, modules: Iterable[str]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


@functools.lru_cache(maxsize=32)
def _exposing(answers: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(the modules exposing ``answers``, the packages among the library's modules)."""
    files: dict[str, tuple[Path, bool]] = {}
    # only source packages (the course's, installed in editable mode) are read: reading an
    # installed one (scipy, for scipy.special) takes seconds, and its module counts alone
    installed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix)]
    for root in sorted({m.split(".")[0] for m in answers}):
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(root)
            for folder in (spec.submodule_search_locations or []) if spec else []:
                if any(Path(folder).resolve().is_relative_to(p) for p in installed):
                    continue
                for path in sorted(Path(folder).rglob("*.py")):
                    parts = [root, *path.relative_to(folder).with_suffix("").parts]
                    is_package = parts[-1] == "__init__"
                    files[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph = {name: _imports_in(path, name, pkg, set(files)) for name, (path, pkg) in files.items()}
    exposing = set(answers)
    grown = True
    while grown:
        grown = False
        for name, imported in graph.items():
            reaches = any(i in exposing or _within(i, answers) for i in imported)
            if name not in exposing and reaches:
                exposing.add(name)
                grown = True
    packages = frozenset(name for name, (_, is_package) in files.items() if is_package)
    return frozenset(exposing), packages


def modules_exposing(answer_modules: Iterable[str]) -> set[str]:
    """The answer modules and every module of their library that imports one of them,
    directly or through another (read from the library's sources, nothing is imported).

    ``mlpbook.demo`` imports ``mlpbook.perceptron``, so its attributes lead to the answers
    (``mlpbook.demo.train_perceptron``): it is as forbidden as the answers themselves.
    A package whose ``__init__`` imports one is listed too (its attributes lead there).
    A module of an installed package (``scipy.special``) is not read: it stands alone.
    """
    return set(_exposing(tuple(sorted(set(answer_modules))))[0])


def _forbidden_names(forbidden: Iterable | None) -> list:
    """``forbidden`` (the declared answer modules if None), with the modules exposing them."""
    if forbidden is None:
        if not _declared:
            raise fail(
                "No module holds this assignment's answers: run the set-up cell at the top "
                "of the notebook (it calls grading.answer_modules(…)), then this cell again."
            )
        forbidden = list(_declared)
    items = list(forbidden)
    modules = [f for f in items if isinstance(f, str)]
    modules += [f.__name__ for f in items if isinstance(f, types.ModuleType)]
    if not modules:
        return items
    # a package's own code is its __init__: forbidding it by name would forbid all its
    # modules, so what it re-exports is judged by the module that defines it
    exposing, packages = _exposing(tuple(sorted(set(modules))))
    return items + sorted(exposing - packages - set(modules))


def _resolve(name: str):
    """A dotted name as a module (``"mlpbook.perceptron"``) or an object in one. A module
    is not imported for this (importing one can be slow, or hidden from this kernel): one
    not loaded yet stands for itself, matched by name."""
    if name in sys.modules:
        return sys.modules[name]
    with contextlib.suppress(ImportError, ValueError):
        if importlib.util.find_spec(name) is not None:
            return types.ModuleType(name)
    module, _, attr = name.rpartition(".")
    with contextlib.suppress(ImportError, AttributeError, ValueError):
        return getattr(importlib.import_module(module), attr)
    return types.ModuleType(name)


def _ufuncs(name: str) -> dict[int, str]:
    """id → name of the numpy ufuncs a loaded module defines (``scipy.special.expit``):
    a ufunc has no ``__module__``, so only its identity tells where it comes from. Those
    that are numpy's own (``np.exp``, imported by the module) are not its own."""
    module = sys.modules.get(name)
    numpy = sys.modules.get("numpy")
    if module is None or numpy is None:
        return {}
    found = {}
    for attr, obj in list(vars(module).items()):
        if isinstance(obj, numpy.ufunc) and getattr(numpy, obj.__name__, None) is not obj:
            found[id(obj)] = f"{name}.{attr}"
    return found


def _signature(code: types.CodeType) -> tuple:
    consts = tuple(_signature(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return (code.co_code, code.co_names, code.co_varnames, consts)


class _Finder:
    """Walks a function's code and what it refers to, looking for forbidden objects."""

    def __init__(self, forbidden, trusted):
        self.modules: list[str] = []
        self.objects: dict[int, str] = {}
        for item in forbidden:
            obj = _resolve(item) if isinstance(item, str) else item
            if isinstance(obj, types.ModuleType):
                self.modules.append(obj.__name__)
            else:
                label = item if isinstance(item, str) else _qualname(obj)
                self.objects[id(obj)] = label
        for name in self.modules:
            self.objects.update(_ufuncs(name))
        self.trusted = set(trusted)
        self.seen: set[int] = set()
        self._copies: dict[tuple, str] | None = None

    def in_modules(self, name) -> bool:
        return isinstance(name, str) and _within(name, self.modules)

    def copies(self) -> dict[tuple, str]:
        """The code of every documented function of the forbidden modules loaded here."""
        if self._copies is None:
            self._copies = {}
            for name in self.modules:
                module = sys.modules.get(name)
                for obj in vars(module).values() if module else ():
                    funcs = [obj]
                    if isinstance(obj, type) and obj.__module__ == name:
                        funcs = [getattr(f, "__func__", f) for f in vars(obj).values()]
                    for func in funcs:
                        mine = getattr(func, "__module__", None) == name
                        if mine and isinstance(func, types.FunctionType) and func.__doc__:
                            key = (_signature(func.__code__), func.__doc__)
                            self._copies.setdefault(key, _qualname(func))
        return self._copies

    def forbidden(self, obj) -> str | None:
        """How ``obj`` is forbidden (its name), or None."""
        if id(obj) in self.objects:
            return self.objects[id(obj)]
        if isinstance(obj, types.ModuleType):
            return f"the module {obj.__name__}" if self.in_modules(obj.__name__) else None
        if callable(obj) and self.in_modules(getattr(obj, "__module__", None)):
            return _qualname(obj)
        kind = type(obj)
        if self.in_modules(getattr(kind, "__module__", None)):
            return f"an instance of {_qualname(kind)}"
        if isinstance(obj, types.FunctionType) and obj.__doc__:
            copied = self.copies().get((_signature(obj.__code__), obj.__doc__))
            if copied:
                return f"a copy of {copied}"
        return None

    def walk(self, obj, path: tuple, home: str, depth: int = 0) -> tuple | None:
        """The path to the first forbidden object reachable from ``obj``, or None."""
        found = self.forbidden(obj)
        if found:
            return (*path, found)
        if id(obj) in self.seen or depth > 50:
            return None
        self.seen.add(id(obj))
        if isinstance(obj, types.FunctionType):
            if depth > 0 and obj.__name__ in self.trusted:
                return None  # another graded part: checked in its own test
            return self.walk_function(obj, path, home, depth)
        if isinstance(obj, types.MethodType):
            return self.walk(obj.__func__, path, home, depth + 1) or self.walk(
                obj.__self__, path, home, depth + 1
            )
        if isinstance(obj, functools.partial):
            parts = (obj.func, *obj.args, *obj.keywords.values())
            return self.walk_many(parts, path, home, depth)
        if isinstance(obj, (staticmethod, classmethod)):
            return self.walk(obj.__func__, path, home, depth + 1)
        if isinstance(obj, property):
            return self.walk_many((obj.fget, obj.fset, obj.fdel), path, home, depth)
        if isinstance(obj, type):
            if obj.__module__ != home:
                return None
            return self.walk_many(vars(obj).values(), path, home, depth)
        if isinstance(obj, (list, tuple, set, frozenset)) and len(obj) <= 100:
            return self.walk_many(obj, path, home, depth)
        if isinstance(obj, dict) and len(obj) <= 100:
            return self.walk_many(obj.values(), path, home, depth)
        if getattr(type(obj), "__module__", None) == home:  # an instance of the student's class
            attributes = getattr(obj, "__dict__", {})
            return self.walk_many((type(obj), *attributes.values()), path, home, depth)
        return None

    def walk_many(self, objs, path, home, depth):
        for item in objs:
            found = self.walk(item, path, home, depth + 1)
            if found:
                return found
        return None

    def walk_function(self, func, path, home, depth):
        path = (*path, func.__name__)
        cells = []
        for cell in func.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                cells.append(cell.cell_contents)
        defaults = (*(func.__defaults__ or ()), *(func.__kwdefaults__ or {}).values())
        return self.walk_code(func.__code__, func.__globals__, path, home, depth) or (
            self.walk_many((*cells, *defaults), path, home, depth)
        )

    def walk_code(self, code, namespace, path, home, depth):
        names = code.co_names
        # getattr(module, "name") reaches attributes through string constants
        attrs = (*names, *(c for c in code.co_consts if isinstance(c, str) and c.isidentifier()))
        for name in names:
            if self.in_modules(name):  # import mlpbook.perceptron (in the function)
                return (*path, f"import {name}")
            if name in namespace:
                value = namespace[name]
            elif hasattr(builtins, name):
                continue
            elif name in sys.modules:  # import inside the function binds a local name
                value = sys.modules[name]
            else:
                continue
            found = self.walk(value, path, home, depth + 1)
            if found:
                return found
            if isinstance(value, types.ModuleType):
                found = self.walk_attributes(value, attrs, (*path, name), 0)
                if found:
                    return found
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found = self.walk_code(const, namespace, path, home, depth)
                if found:
                    return found
            elif self.in_modules(const):
                return (*path, f"the string {const!r}")
        return None

    def walk_attributes(self, module, names, path, level):
        """Attributes of a module the code may reach (``mlpbook.perceptron.train…``)."""
        for attr in names:
            submodule = f"{module.__name__}.{attr}"
            if self.in_modules(submodule):  # `from mlpbook import perceptron` in the function:
                return (*path, f"the module {submodule}")  # even before it is first imported
            with warnings.catch_warnings():  # numpy warns on np.str, a name it retired
                warnings.simplefilter("ignore")
                value = getattr(module, attr, None)
            if value is None:
                continue
            found = self.forbidden(value)
            if found:
                return (*path, found)
            if isinstance(value, types.ModuleType) and level < 2:
                found = self.walk_attributes(value, names, (*path, attr), level + 1)
                if found:
                    return found
        return None


def _qualname(obj) -> str:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    return f"{module}.{name}" if module else name


def find_forbidden(func, forbidden: Iterable, trusted: Iterable[str] = ()) -> tuple | None:
    """How ``func`` reaches a forbidden object: a path of names, or None if it does not.

    Parameters
    ----------
    func : callable
        The student's function.
    forbidden : iterable of str, module or object
        Modules (every object defined in them is forbidden too, and so are their instances)
        and single objects, as objects or dotted names (``"mlpbook.perceptron"``).
    trusted : iterable of str
        Names of the student's other graded functions: calls to them are allowed and not
        followed, since each is checked in its own part.

    Notes
    -----
    What is read: the names the code uses (globals, builtins shadowed by globals, imports
    inside the function, attributes of modules it refers to, also as ``getattr`` strings),
    nested functions, closures, default values, partials, methods of the student's own
    classes, and helper functions, recursively. A string constant naming a forbidden
    module counts too, and so does a function whose code and docstring are those of a
    function of a forbidden module (``exec(inspect.getsource(…))``, or a pasted copy).
    """
    remote = getattr(type(func), "__remote_find_forbidden__", None)
    if remote is not None:  # the function lives in another process: it is looked at there
        return remote(func, list(forbidden), list(trusted))
    finder = _Finder(forbidden, trusted)
    home = getattr(func, "__module__", None) or "__main__"
    name = getattr(func, "__name__", repr(func))
    found = finder.forbidden(func)
    if found:
        return (name, found)
    return finder.walk(func, (), home)


def assert_own_implementation(
    func, *, forbidden: Iterable | None = None, trusted: Iterable[str] = ()
) -> None:
    """Raise an AssertionError if ``func`` uses one of the ``forbidden`` objects.

    ``forbidden`` defaults to the modules declared with `answer_modules`; the library
    modules that import one of them are forbidden too (`modules_exposing`). See
    `find_forbidden`. The message names the chain of calls that reaches it.
    """
    given = list(forbidden) if forbidden is not None else None
    items = _forbidden_names(given)
    path = find_forbidden(func, items, trusted)
    if path is None:
        return
    names = [f if isinstance(f, str) else _qualname(f) for f in (given or _declared)]
    extra = [f for f in items[len(given or _declared) :] if isinstance(f, str)]
    also = f" (or a module that imports it: {', '.join(extra)})" if extra else ""
    name = getattr(func, "__name__", repr(func))
    raise fail(
        f"{name} uses the library's answer: {' → '.join(path)}. This part is graded on your "
        f"own code, so it scores 0 while it uses {', '.join(names)}{also}: write it "
        "yourself with numpy (and your own functions)."
    )
