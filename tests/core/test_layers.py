"""The layering of docs/architecture.md holds: `core` imports nothing from `access`, so there is
no import cycle between the framework and the people-and-roles app built on it."""

import ast
from pathlib import Path

import chainward

CORE = Path(chainward.__file__).parent / "core"
ABOVE_CORE = ("access",)


def imported_modules(path):
    """Every module a file imports, absolute, including imports inside functions."""
    package = "chainward." + ".".join(path.relative_to(CORE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.module


def test_core_imports_nothing_from_the_apps_built_on_it():
    offending = []
    for path in sorted(CORE.rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "chainward" and len(parts) > 1 and parts[1] in ABOVE_CORE:
                offending.append(f"{path.relative_to(CORE.parent)} imports {module}")
    assert offending == []


def test_the_scan_sees_relative_and_nested_imports():
    """The scanner itself: a relative import and an import inside a function body."""
    assert "chainward.core.models" in set(imported_modules(CORE / "services.py"))
    nested = set(imported_modules(CORE / "querysets.py"))  # `scope_q` is imported in a method
    assert "chainward.core.scope" in nested
