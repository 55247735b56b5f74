"""sqlfluff over the dbt project, with the vars a dbt command gets.

The dbt templater compiles every model, so it needs the vars every dbt command line carries
(`warehouse.dbt_vars`). sqlfluff reads them from a config section
(`[sqlfluff:templater:dbt:context]`), so they go in a generated config file under
dbt_project/target/, given with `--config` on top of the project's .sqlfluff. Its DuckDB file is
a scratch one there too: linting never opens, or locks, the published warehouse.

    python -m pipelines.dbt_lint                 # sqlfluff lint dbt_project
    python -m pipelines.dbt_lint lint FILE...    # any sqlfluff command and arguments
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines import paths
from pipelines.warehouse import dbt_vars

# sqlfluff's commands that template files, and so take the extra config
_TEMPLATING = {"lint", "fix", "format", "parse", "render"}


def vars_config(target: Path) -> Path:
    """A sqlfluff config file giving the dbt templater the vars a build passes."""
    target.mkdir(parents=True, exist_ok=True)
    values = dbt_vars(database=target / "sqlfluff.duckdb")
    # ini values are bare: a path as written, a bool as sqlfluff coerces it (True/False)
    lines = ["[sqlfluff:templater:dbt:context]"] + [f"{key} = {value}" for key, value in values.items()]
    config = target / "sqlfluff-vars.cfg"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv) or ["lint", str(paths.DBT_PROJECT_DIR)]
    # sqlfluff takes its templater only from a .sqlfluff in the working folder: the project's root
    args = [str(Path(arg).resolve()) if Path(arg).exists() else arg for arg in args]
    if args[0] in _TEMPLATING:
        args[1:1] = ["--config", str(vars_config(paths.DBT_PROJECT_DIR / "target"))]
    os.chdir(paths.PROJECT_ROOT)
    sqlfluff = Path(sys.executable).with_name("sqlfluff")  # beside this interpreter: the pinned one
    os.execv(sqlfluff, [str(sqlfluff), *args])


if __name__ == "__main__":
    sys.exit(main())
