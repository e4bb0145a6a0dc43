"""The house layout of an addon's Odoo code, checked on its source files: one
model (or one inherit) per file, named after it, no file over 500 lines, and no
override of the ORM's internals (extend through ``_inherit``, computes,
``create`` / ``write`` and the addon's own hooks instead)."""

import ast
from pathlib import Path

MAX_LINES = 500
FOLDERS = ("models", "wizards", "report")
ORM_INTERNALS = frozenset(
    {
        "_compute_field_value",
        "_fetch_field",
        "_fetch_query",
        "_flush",
        "_recompute_field",
        "_recompute_model",
    }
)
MODEL_BASES = frozenset({"Model", "TransientModel", "AbstractModel"})


def _model_of(node):
    """The model a class defines (its ``_name``) or extends (its ``_inherit``);
    None when it is not an Odoo model class."""
    if not any(
        (isinstance(base, ast.Attribute) and base.attr in MODEL_BASES)
        or (isinstance(base, ast.Name) and base.id in MODEL_BASES)
        for base in node.bases
    ):
        return None
    found = {}
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id in ("_name", "_inherit")
            and isinstance(statement.value, ast.Constant)
        ):
            found[statement.targets[0].id] = statement.value.value
    return found.get("_name") or found.get("_inherit") or "?"


def layout_problems(addon_path):
    """Each way the addon's model files break the layout, as a sentence."""
    problems = []
    root = Path(addon_path)
    for folder in FOLDERS:
        for path in sorted((root / folder).glob("*.py")):
            if path.name == "__init__.py":
                continue
            where = f"{folder}/{path.name}"
            text = path.read_text(encoding="utf-8")
            lines = len(text.splitlines())
            if lines > MAX_LINES:
                problems.append(f"{where} has {lines} lines (at most {MAX_LINES})")
            classes = [node for node in ast.parse(text).body if isinstance(node, ast.ClassDef)]
            models = [(node, _model_of(node)) for node in classes]
            models = [(node, model) for node, model in models if model]
            if len(models) > 1:
                problems.append(
                    f"{where} holds {len(models)} models: "
                    + ", ".join(model for _node, model in models)
                )
            for node, model in models:
                stem = model.replace(".", "_")
                if path.stem != stem and not path.stem.startswith(stem + "_"):
                    problems.append(f"{where} holds {model}: name it {stem}.py")
                internals = sorted(
                    item.name
                    for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name in ORM_INTERNALS
                )
                if internals:
                    problems.append(f"{where} overrides ORM internals: {', '.join(internals)}")
    return problems
