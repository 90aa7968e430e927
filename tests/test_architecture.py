"""The code's floor plan: every module says what it is for in its first line (docs/architecture.md)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "udsyn"


def test_every_module_states_its_purpose_first() -> None:
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts or not path.read_text(encoding="utf-8").strip():
            continue
        module = ast.parse(path.read_text(encoding="utf-8"))
        first = module.body[0] if module.body else None
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str) and first.value.value.strip()):
            missing.append(str(path.relative_to(PACKAGE)))
    assert not missing, "modules without a docstring first: {}".format(", ".join(missing))
