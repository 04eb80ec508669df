"""The shape of the code (issue 9): no two modules import each other, however indirectly, and the
lower layers never import the upper ones.

Every import counts, the ones inside functions too (an import hidden in a function to dodge a
cycle is still a cycle). Importing a.b.c runs a/__init__.py and a/b/__init__.py first, so it
depends on those packages as well, unless the importer lives inside them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_MODULES = ("app", "cli", "config", "worker")
PACKAGES = ("core", "models", "blueprints", "jobs", "demo")


def project_modules() -> dict[str, Path]:
    modules = {name: ROOT / f"{name}.py" for name in TOP_MODULES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `module` imports anywhere in its file, with the packages that run first."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            for candidate in (target, *_parents(target)):
                if candidate in known:
                    found.add(candidate)
    # A module's own packages are already running when it is imported: not a dependency.
    return {target for target in found if target != module and not module.startswith(target + ".")}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(component) for component in found)


def test_core_and_models_import_no_domain_and_no_job():
    graph = import_graph()
    wrong = {
        module: sorted(t for t in targets if t.split(".")[0] in ("blueprints", "jobs", "app", "cli", "demo"))
        for module, targets in graph.items()
        if module.split(".")[0] in ("core", "models")
    }
    wrong = {module: targets for module, targets in wrong.items() if targets}
    assert not wrong, f"core/ and models/ must not import blueprints, jobs or the app: {wrong}"


def test_views_and_jobs_stay_apart():
    """A view queues a job by its dotted name; a job never imports a view."""
    graph = import_graph()
    views = {m for m in graph if m.startswith("blueprints.") and m.rsplit(".", 1)[-1].endswith("views")}
    wrong = [
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if (module.startswith("blueprints.") and target.startswith("jobs"))
        or (module.startswith("jobs") and target in views)
    ]
    assert not wrong, f"blueprints import job modules, or jobs import views: {wrong}"


def test_the_checker_sees_a_cycle_hidden_in_a_function(tmp_path):
    """The walk counts function-local imports: a pair that dodges a cycle that way is caught."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text("def later():\n    from pkg.a import thing\n")
    known = {"pkg", "pkg.a", "pkg.b"}
    graph = {
        name: imports_of(
            name, tmp_path / (name.replace(".", "/") + ("/__init__.py" if name == "pkg" else ".py")), known
        )
        for name in known
    }
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
