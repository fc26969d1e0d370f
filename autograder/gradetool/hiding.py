"""Keep the modules that hold an assignment's answers out of the student's kernel.

An assignment declares once which library modules hold its answers
(``grading.answer_modules("mlpbook.perceptron")``, read by
`gradetool.course.declared_answer_modules`). While a submission is graded, its kernel must
not reach their code by any road: ``import``, another library module that imports them
(``mlpbook.demo`` holds ``train_perceptron`` in its globals), ``inspect.getsource``, reading
the file, or loading its compiled ``.pyc``.

`plan` reads the library's sources (never imports them) and decides, for every module of
the answer modules' packages:

- an answer module, or a module that imports one (directly, through another such module,
  or by a name its package re-exports from one), is **replaced** by a stub whose import
  fails with an ``ImportError`` that says why;
- a package's ``__init__`` that re-exports names from such modules is **rewritten** without
  those imports, so that ``import mlpbook`` and the rest of the library still work, and
  the dropped names raise the same ``ImportError`` when used;
- compiled files (``__pycache__``) are hidden.

In the sandbox these replacements are mounted over the real files (`Hiding.bwrap_args`),
so the student's code cannot undo them: the files are not there to read. Without the
sandbox, `Hiding.blocked` is given to `gradetool.remote.block_modules`, an import hook that
the student's code could remove: the sandbox is the barrier, the hook a courtesy.

What no hiding can stop: code typed or pasted into the notebook (a copy of the library's
function) is indistinguishable from the student's own.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

WHY = (
    "holds the answers of this assignment, so it cannot be imported while your notebook is "
    "graded: write these functions yourself (numpy and your own code are allowed)"
)


@dataclass
class Hiding:
    """What to hide from the student's kernel for one assignment.

    Attributes
    ----------
    blocked : list of str
        Modules whose import fails (the answer modules and those that expose them).
    replaced : dict of Path to str
        Library files → the text mounted over them (stubs and rewritten ``__init__``).
    folders : list of Path
        The packages' folders: their ``__pycache__`` folders are hidden.
    """

    blocked: list[str] = field(default_factory=list)
    replaced: dict[Path, str] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.blocked)

    def caches(self) -> list[Path]:
        """The ``__pycache__`` folders that exist now (the grader may make them meanwhile)."""
        return [f / "__pycache__" for f in self.folders if (f / "__pycache__").is_dir()]


def stub(module: str) -> str:
    """The text of a module whose import fails, saying why."""
    message = f"{module} {WHY}"
    return f"raise ImportError({message!r}, name={module!r})\n"


def plan(answer_modules) -> Hiding:
    """Which modules to block and which files to replace (see the module's docstring).

    Only the course's own packages, installed from source folders outside the Python
    installation (``mlpbook``, in editable mode), are read and hidden in files; a declared
    module of an installed package (``scipy.special``) is blocked by name alone.
    """
    answers = sorted(set(answer_modules))
    hiding = Hiding()
    if not answers:
        return hiding
    modules: dict[str, _Module] = {}
    for root in sorted({name.split(".")[0] for name in answers}):
        modules.update(_read_package(root))
    blocked = {m for m in modules if any(_within(m, a) for a in answers)}
    dropped: dict[str, set[str]] = {}  # package → names its __init__ no longer imports
    changed = True
    while changed:
        changed = False
        for name, module in modules.items():
            if name in blocked:
                continue
            exposes = [edge for edge in module.edges if _exposes(edge, blocked, dropped, modules)]
            if not exposes:
                continue
            if module.is_package:
                names = {n for edge in exposes for n in edge.bound}
                if not names <= dropped.get(name, set()):
                    dropped.setdefault(name, set()).update(names)
                    changed = True
            else:
                blocked.add(name)
                changed = True
    hiding.blocked = sorted(blocked | {a for a in answers if a not in modules})
    for name in sorted(blocked):
        hiding.replaced[modules[name].path] = stub(name)
    for name in sorted(dropped):
        module = modules[name]
        hiding.replaced[module.path] = _rewrite(module, blocked, dropped, modules)
    hiding.folders = sorted({m.path.parent for m in modules.values()})
    return hiding


@functools.lru_cache(maxsize=16)
def cached_plan(answer_modules: tuple[str, ...]) -> Hiding:
    """`plan`, once per set of answer modules in a process (the library does not change
    during a batch)."""
    return plan(answer_modules)


@dataclass
class _Edge:
    target: str  # the module imported from (absolute)
    names: tuple[str, ...]  # the names imported from it (empty: `import target`)
    bound: tuple[str, ...]  # the names the statement binds in the importing module
    node: ast.stmt


@dataclass
class _Module:
    path: Path
    is_package: bool
    tree: ast.Module
    edges: list[_Edge]


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _read_package(root: str) -> dict[str, _Module]:
    """Every module of the source package ``root``, parsed, with its imports."""
    try:
        spec = importlib.util.find_spec(root)
    except (ImportError, ValueError):
        return {}
    installed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix)]
    locations = [
        loc
        for loc in (spec and spec.submodule_search_locations) or []
        if not any(Path(loc).resolve().is_relative_to(p) for p in installed)
    ]
    modules = {}
    for location in locations:
        folder = Path(location)
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(folder).with_suffix("")
            parts = [root, *rel.parts]
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            name = ".".join(parts)
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, UnicodeDecodeError):
                continue
            modules[name] = _Module(path, is_package, tree, _imports(tree, name, is_package))
    return modules


def _imports(tree: ast.Module, name: str, is_package: bool) -> list[_Edge]:
    """The module's import statements, anywhere in it, as absolute names."""
    package = name if is_package else name.rpartition(".")[0]
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                edges.append(_Edge(alias.name, (), (bound,), node))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = tuple(a.name for a in node.names)
            bound = tuple(a.asname or a.name for a in node.names)
            edges.append(_Edge(target, names, bound, node))
    return edges


def _exposes(edge: _Edge, blocked: set, dropped: dict, modules: dict) -> bool:
    """Whether an import hands out something blocked."""
    if any(_within(edge.target, b) for b in blocked):
        return True
    for imported in edge.names:  # `from mlpbook import perceptron`, or a re-exported name
        if f"{edge.target}.{imported}" in blocked:
            return True
        if imported in dropped.get(edge.target, ()) or (imported == "*" and edge.target in dropped):
            return True
    return False


def _rewrite(module: _Module, blocked: set, dropped: dict, modules: dict) -> str:
    """A package's ``__init__`` without the imports that expose blocked modules.

    Each such statement's lines become ``pass`` (at its indentation); the dropped names
    raise an ``ImportError`` that says why when the package is asked for them.
    """
    names = sorted(dropped[next(n for n, m in modules.items() if m is module)])
    lines = module.path.read_text(encoding="utf-8").splitlines()
    for edge in module.edges:
        if not _exposes(edge, blocked, dropped, modules):
            continue
        node = edge.node
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        indent = lines[first][: node.col_offset]
        lines[first : last + 1] = [f"{indent}pass"] + [""] * (last - first)
    message = f"{{name}} comes from a module that {WHY}"
    return "\n".join(
        [
            *lines,
            "",
            f"_GRADETOOL_HIDDEN = {names!r}",
            "",
            "",
            "def __getattr__(name):",
            "    if name in _GRADETOOL_HIDDEN:",
            f"        raise ImportError(f{message!r}, name=__name__)",
            "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')",
            "",
        ]
    )
