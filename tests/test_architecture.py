"""Rules that matter, as checks: room boundaries (import-linter) and explicit, sorted public names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ledgerport"
MODULES = sorted(path for path in SRC.rglob("*.py") if "migrations" not in path.parts and path.name != "__main__.py")


def test_rooms_respect_their_import_contracts() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None, "import-linter is a dev dependency"
    result = subprocess.run([lint_imports], capture_output=True, text=True, cwd=SRC.parents[1], check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            assert node.value is not None
            return [ast.literal_eval(element) for element in node.value.elts]  # type: ignore[attr-defined]
    return None


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_module_declares_a_sorted_all(path: Path) -> None:
    tree = ast.parse(path.read_text())
    declared = _declared_all(tree)
    if path.relative_to(SRC).as_posix() in {"cli.py", "__init__.py"}:
        return
    assert declared is not None, f"{path.relative_to(SRC)} has no __all__"
    assert declared == sorted(declared), f"{path.relative_to(SRC)}: __all__ is not sorted"
    defined = {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    defined |= {
        t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
    }
    defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    imported = {
        alias.asname or alias.name.split(".")[0]
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    missing = [name for name in declared if name not in defined | imported]
    assert not missing, f"{path.relative_to(SRC)}: __all__ names undefined {missing}"


def test_no_grab_bag_modules() -> None:
    assert not [p for p in SRC.rglob("*.py") if p.stem in {"utils", "helpers", "misc", "common_utils"}]


PROVIDER_WORDS = ("quickbooks", "qbo", "intuit", "xero", "netsuite", "realm", "tenant_id")
ENGINES = ("sync", "jobs", "linking", "api", "passthrough")


def _code_words(tree: ast.Module) -> set[str]:
    """Identifiers and string literals, docstrings left out: prose may name providers, code may not."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id.lower())
        elif isinstance(node, ast.Attribute):
            words.add(node.attr.lower())
        elif isinstance(node, ast.alias):
            words.add(node.name.lower())
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.add(node.value.lower())
    return words


@pytest.mark.parametrize("room", ENGINES)
def test_engines_never_speak_a_providers_dialect(room: str) -> None:
    offenders = {}
    for path in (SRC / room).rglob("*.py"):
        found = [w for w in _code_words(ast.parse(path.read_text())) if any(p in w for p in PROVIDER_WORDS)]
        if found:
            offenders[str(path.relative_to(SRC))] = found
    assert not offenders
