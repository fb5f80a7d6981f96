"""The package's architecture, read from its imports (AST): sub-packages import only downwards, no module imports
itself back through others, imports sit at the top of a module unless they defer an optional or slow dependency
(and say so), reading and grouping records needs neither torch nor plotly, and ``pip install .`` ships every module
with every dependency it imports."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "signin_lite"
# bottom to top: a module may import from its own layer and the layers before it
LAYERS = ("foundations", "evidence", "core", "training", "experiments", "decision", "views", "")
NO_TORCH = ("signin_lite.foundations", "signin_lite.evidence")
# import name -> distribution, where they differ
DISTRIBUTIONS = {"PIL": "pillow", "IPython": "ipython", "myst_nb": "myst-nb"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """A module's place in LAYERS; the package root (the version, lazy core exports) sits below them all."""
    if module == "signin_lite":
        return 0
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 2 and parts[1] in LAYERS else len(LAYERS) - 1


def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The signin_lite modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("signin_lite")]
    assert node.level == 0, f"relative import at line {node.lineno}: use the absolute signin_lite.<layer> path"
    if not (node.module or "").startswith("signin_lite"):
        return []
    subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES]
    return subs or [node.module]


def imports(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement of a module, with whether it sits at module level."""
    tree = ast.parse(path.read_text(), str(path))
    top = {id(n) for n in tree.body}
    top |= {id(n) for stmt in tree.body if isinstance(stmt, ast.If | ast.Try) for n in ast.walk(stmt)}
    return [(n, id(n) in top) for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def graph() -> dict[str, set[str]]:
    return {m: {t for n, _ in imports(p) for t in targets(n) if t != m and t in MODULES}
            for m, p in MODULES.items()}


def _listed(init: Path) -> list[str]:
    """The ``__all__`` of a package's ``__init__.py``."""
    return ast.literal_eval(next(n.value for n in ast.parse(init.read_text()).body
                                 if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"))


def _present(folder: Path) -> list[str]:
    """The modules and sub-packages of a package folder."""
    return sorted([p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
                  + [p.parent.name for p in folder.glob("*/__init__.py")])


def test_every_module_belongs_to_a_layer_and_each_layer_lists_its_modules():
    """Layers are the package's sub-packages; a layer may group modules of one idea in one package of its own
    (views/findings: what each chapter found), and every package lists what it holds in ``__all__``."""
    for name in MODULES:
        parts = name.split(".")
        assert len(parts) <= 4, f"{name}: at most a package inside a layer"
        assert len(parts) < 3 or parts[1] in LAYERS, f"{name}: {parts[1]} is not a layer of {LAYERS}"
        assert len(parts) < 4 or (PACKAGE / parts[1] / parts[2] / "__init__.py").exists(), name
    for sub in filter(None, LAYERS):
        listed, present = _listed(PACKAGE / sub / "__init__.py"), _present(PACKAGE / sub)
        assert sorted(listed) == present, f"signin_lite/{sub}/__init__.py lists {listed}, the folder has {present}"
        for nested in (PACKAGE / sub).glob("*/__init__.py"):
            missing = set(_present(nested.parent)) - set(_listed(nested))
            assert not missing, f"{nested.relative_to(ROOT)}: __all__ leaves out {sorted(missing)}"


def test_imports_point_only_downwards():
    upward = [f"{m} (layer {LAYERS[layer(m)] or 'top'}) imports {t} (layer {LAYERS[layer(t)] or 'top'})"
              for m, ts in graph().items() for t in ts if layer(t) > layer(m) and m != "signin_lite"]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_no_import_cycles():
    edges, state, cycles = graph(), {}, []

    def visit(m: str, path: list[str]) -> None:
        state[m] = "open"
        for t in sorted(edges[m]):
            if state.get(t) == "open":
                cycles.append(" -> ".join(path[path.index(t):] + [t]))
            elif t not in state:
                visit(t, path + [t])
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_imports_are_at_the_top_unless_they_say_why_they_are_deferred():
    lazy = []
    for path in MODULES.values():
        lines = path.read_text().splitlines()
        for node, at_top in imports(path):
            if not at_top and "# deferred:" not in lines[node.lineno - 1]:
                lazy.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not lazy, "imports inside functions without a '# deferred: <why>' comment:\n" + "\n".join(lazy)


def test_reading_and_grouping_records_needs_neither_torch_nor_plotly():
    mods = [m for m in MODULES if m.startswith(NO_TORCH)]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + \
           "print(sorted(k for k in ('torch', 'plotly') if k in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", f"importing {mods} loaded {out.stdout.strip()}"


def third_party_imports() -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    names = set()
    for path in MODULES.values():
        for node, _ in imports(path):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            names |= {m.split(".")[0] for m in mods if m and not m.startswith("signin_lite")}
    return names - stdlib


def test_pyproject_declares_every_dependency_the_library_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {d.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
                for d in project["dependencies"] + sum(project.get("optional-dependencies", {}).values(), [])}
    missing = sorted(m for m in third_party_imports() if DISTRIBUTIONS.get(m, m).lower() not in declared)
    assert not missing, f"pyproject.toml does not declare {missing}"
    version = project["requires-python"].split(">=")[1].strip()
    assert tuple(map(int, version.split("."))) >= (3, 11), "the library uses tomllib (Python 3.11)"


@pytest.mark.slow
def test_pip_install_ships_every_module(tmp_path):
    """``pip install .`` into a folder, then import every module from there, not from the checkout."""
    source, target = tmp_path / "source", tmp_path / "site"  # a copy: setuptools writes build/ beside the sources
    shutil.copytree(PACKAGE, source / "signin_lite", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--target", str(target), str(source)], capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    shipped = {module_name(ROOT / p.relative_to(target)) for p in (target / "signin_lite").rglob("*.py")}
    assert shipped == set(MODULES), f"missing from the installed package: {sorted(set(MODULES) - shipped)}"
    code = ("import importlib, signin_lite\n"
            f"assert signin_lite.__file__.startswith({str(target)!r}), signin_lite.__file__\n"
            f"for m in {sorted(set(MODULES) - {'signin_lite.__main__'})!r}:\n"
            "    importlib.import_module(m)\nprint('ok')")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]


def test_no_function_is_longer_than_60_lines():
    """Readable first: every function of the library, the scripts, the benchmarks and the tests fits in 60 lines
    (decorators and docstring included)."""
    long = []
    for folder in ("signin_lite", "scripts", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    if node.end_lineno - first + 1 > 60:
                        long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} "
                                    f"({node.end_lineno - first + 1} lines)")
    assert not long, f"functions over 60 lines (split them): {long}"
