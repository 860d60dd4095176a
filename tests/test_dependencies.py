"""The runtime dependencies of pyproject.toml are exactly the distributions the installed
packages import, and none of them imports a development-only one.

The packages are those of ``[tool.setuptools.packages.find]`` that exist, so moving modules
between them (or adding one to ``include``) needs no change here."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Runtime dependencies no module imports by name, and why they are needed.
NOT_IMPORTED = {
    "psycopg": "the PostgreSQL driver SQLAlchemy loads for postgresql+psycopg:// URLs",
}


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares them ("Python_Docx" is "python-docx")."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The distribution a PEP 508 requirement names ("psycopg[binary]>=3.3,<4": psycopg)."""
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert found, requirement
    return normalize(found.group(1))


RUNTIME = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
DEV = {requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}


def own_packages() -> set[str]:
    """Every top-level package of the repository (tests and benchmarks included)."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py")}


def installed_packages() -> list[str]:
    """The top-level packages pyproject installs: folders with an ``__init__.py`` that its
    ``include`` patterns take and its ``exclude`` patterns leave."""
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    include, exclude = find.get("include", ["*"]), find.get("exclude", [])
    return sorted(
        name
        for name in own_packages()
        if any(fnmatch(name, p) for p in include) and not any(fnmatch(name, p) for p in exclude)
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.AST) -> Iterator[str]:
    """The top-level name of every absolute import run at runtime (at any depth: a function
    importing a module lazily needs it too), not those under ``if TYPE_CHECKING:``."""
    if isinstance(tree, ast.If) and _is_type_checking(tree.test):
        children: list[ast.AST] = list(tree.orelse)
    else:
        children = list(ast.iter_child_nodes(tree))
    if isinstance(tree, ast.Import):
        yield from (alias.name.split(".")[0] for alias in tree.names)
    elif isinstance(tree, ast.ImportFrom) and tree.level == 0 and tree.module:
        yield tree.module.split(".")[0]
    for child in children:
        yield from imported_names(child)


def third_party_imports() -> dict[str, set[str]]:
    """Each third-party top-level module the installed packages import, with the files."""
    skip = set(sys.stdlib_module_names) | own_packages() | {"__future__"}
    found: dict[str, set[str]] = {}
    for package in installed_packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for name in imported_names(tree):
                if name not in skip:
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def imported_distributions() -> dict[str, set[str]]:
    """The distributions (normalized names) that provide what the packages import, each with
    the files importing it."""
    providers = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    unknown: list[str] = []
    for module, files in third_party_imports().items():
        dists = {normalize(d) for d in providers.get(module, [])}
        if not dists:
            unknown.append(f"{module} ({', '.join(sorted(files))})")
            continue
        for dist in (dists & RUNTIME) or dists:
            found.setdefault(dist, set()).update(files)
    assert not unknown, f"imported, but no installed distribution provides it: {unknown}"
    return found


def test_the_packages_checked_are_the_installed_ones() -> None:
    packages = installed_packages()
    assert packages, "no package of [tool.setuptools.packages.find] include exists"
    assert "tests" not in packages and "bench" not in packages
    assert "rapidfuzz" in third_party_imports()


def test_runtime_dependencies_are_exactly_what_the_packages_import() -> None:
    imported = imported_distributions()
    assert not set(NOT_IMPORTED) & set(imported), "imported now: remove it from NOT_IMPORTED"
    undeclared = {d: sorted(f) for d, f in imported.items() if d not in RUNTIME}
    assert not undeclared, f"imported but not a runtime dependency: {undeclared}"
    unused = RUNTIME - set(imported) - set(NOT_IMPORTED)
    assert not unused, f"runtime dependencies no package imports: {sorted(unused)}"


def test_no_runtime_module_imports_a_development_only_package() -> None:
    dev_only = DEV - RUNTIME
    assert "openpyxl" in dev_only and "pytest" in dev_only
    imported = imported_distributions()
    wrong = {d: sorted(imported[d]) for d in dev_only & set(imported)}
    assert not wrong, f"runtime modules import development-only packages: {wrong}"
