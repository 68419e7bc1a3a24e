"""Structural rules of DESIGN.md that keep the code easy to change."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "reglab"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_reglab_ui_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in SRC.rglob("*.py")
        if "ui" not in path.relative_to(SRC).parts and "streamlit" in imported_modules(path)
    ]
    assert offenders == [], f"streamlit imported outside reglab.ui: {offenders}"
    assert any("streamlit" in imported_modules(p) for p in (SRC / "ui").rglob("*.py"))


def test_pages_are_thin_no_numerical_libraries():
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) == 5
    for script in scripts:
        heavy = imported_modules(script) & {"numpy", "scipy", "sklearn", "pandas"}
        assert not heavy, f"{script.name} imports {heavy}: numerical code belongs in reglab"


def test_pages_give_the_documented_urls():
    stems = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    assert stems == ["1_data", "2_explore", "3_compare", "4_learn"]


def reglab_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from .module import name`` / ``from reglab.module import name`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module if node.level else node.module.removeprefix("reglab.")
            if node.level or node.module.startswith("reglab"):
                found.extend((module.split(".")[-1], alias.name) for alias in node.names)
    return found


#: The core's layers, lowest first: a module may import only from layers below it.
CORE_LAYERS = ["errors", "limits", "datafits", "objective", "cd", "groupcd", "design", "solvers", "results", "relaxed",
               "fitting", "selection", "distributed", "serverdata"]


def test_core_layers_import_only_downward():
    for rank, module in enumerate(CORE_LAYERS):
        allowed = set(CORE_LAYERS[:rank])
        imported = {m for m, _ in reglab_imports(SRC / f"{module}.py")}
        assert imported <= allowed, f"{module} imports {sorted(imported - allowed)}, above it in {CORE_LAYERS}"


def test_no_module_imports_another_modules_private_names():
    offenders = [
        f"{path.relative_to(SRC)}: {module}.{name}"
        for path in SRC.rglob("*.py")
        for module, name in reglab_imports(path)
        if name.startswith("_") and module != path.stem
    ]
    assert offenders == [], f"private names used across modules: {offenders}"


#: A family tested by name: ``family == "binomial"``, ``path.family in (…)``, ``family != …``.
FAMILY_TEST = re.compile(r"family ?(==|!=|in) ")


def test_only_the_datafits_module_names_a_family():
    # Every layer asks the datafit (spec.datafit.classifier, path.datafit.per_class…); only
    # reglab.datafits knows the families by name, so a new family is one class there.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in [*SRC.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
        if path.name != "datafits.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FAMILY_TEST.search(line)
    ]
    assert offenders == [], "a family tested by name outside reglab.datafits:\n" + "\n".join(offenders)


def test_pages_never_call_a_solver():
    kernels = {"solvers", "cd", "groupcd"}
    for script in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        used = {module for module, _ in reglab_imports(script)} & kernels
        plain = {name.removeprefix("reglab.") for name in _plain_imports(script)} & kernels
        assert not used | plain, f"{script.name} imports {sorted(used | plain)}: pages call reglab's public layers"


def _plain_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "reglab":
            names.update(alias.name for alias in node.names)
    return names


def test_pages_do_not_branch_on_the_family_or_the_penalty():
    # A page asks reglab.ui for its parts; which datafit or penalty is fitted is decided below it
    # (reglab.ui.explore_tabs asks the datafit, Penalty.of gives a penalty's α).
    branching = re.compile(r"\bpenalty\w* ?(==|!=|in) |\.(classifier|per_class|counts|quadratic)\b")
    offenders = [f"{script.name}:{number}: {line.strip()}"
                 for script in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
                 for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1)
                 if branching.search(line)]
    assert offenders == [], "\n".join(offenders)


def test_the_kkt_check_is_written_once():
    # Every solver's check, the public kkt_residual and the path reports go through
    # objective.kkt_violation (datafit gradient from design.gradients, penalty.subdiff_distance):
    # a new datafit or penalty cannot be checked by a different rule in one place.
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in SRC.rglob("*.py") if path.name != "objective.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if ".subdiff_distance(" in line]
    assert offenders == [], "a KKT check outside objective.kkt_violation:\n" + "\n".join(offenders)


def test_one_caching_mechanism():
    # Results are cached by reglab.ui.cache.SharedCache only (bounded by bytes, each key computed
    # once, shared and never copied); Streamlit's caches only create its process-wide singletons there.
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in [*SRC.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "@st.cache_data" in line or ("@st.cache_resource" in line and path.name != "cache.py")]
    assert offenders == [], "a result cached outside the shared cache:\n" + "\n".join(offenders)
