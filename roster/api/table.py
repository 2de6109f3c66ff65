"""Who may call each API operation: the scope its token needs and the roles its owner needs."""

from flask import Flask

from roster.auth.access import ROLE_COLUMNS, TokenRule, access_rule

TABLE_COLUMNS = tuple(column for column in ROLE_COLUMNS if column != "anonymous")


def operations_table(app: Flask) -> list[tuple[str, str, dict[str, bool]]]:
    """``[("GET /api/v1/needs", "needs:read", {"expert": False, ...})]``, by address."""
    rows = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ()))):
        declared = access_rule(app.view_functions[rule.endpoint])
        if not isinstance(declared, TokenRule):
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        allowed = {column: column in declared.roles for column in TABLE_COLUMNS}
        rows.append((f"{' '.join(methods)} {rule.rule}", declared.scope or "any", allowed))
    return rows


def operations_markdown(app: Flask) -> str:
    """The operation-by-scope-and-role table as Markdown, as published in the README."""
    lines = [
        "| operation | scope | " + " | ".join(TABLE_COLUMNS) + " |",
        "| --- | --- |" + " :---: |" * len(TABLE_COLUMNS),
    ]
    for operation, scope, allowed in operations_table(app):
        cells = " | ".join("yes" if allowed[c] else "no" for c in TABLE_COLUMNS)
        lines.append(f"| `{operation}` | `{scope}` | {cells} |")
    return "\n".join(lines)
