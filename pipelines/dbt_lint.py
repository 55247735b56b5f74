"""sqlfluff over the dbt project, with the environment dbt's profile reads.

The dbt templater compiles every model, so it needs the variables a build sets (`dbt_env`). Its
DuckDB file is a scratch one under dbt_project/target/: linting never opens, or locks, the
published warehouse.

    python -m pipelines.dbt_lint                 # sqlfluff lint dbt_project
    python -m pipelines.dbt_lint lint FILE...    # any sqlfluff command and arguments
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines import paths
from pipelines.warehouse import dbt_env


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv) or ["lint", str(paths.DBT_PROJECT_DIR)]
    scratch = paths.DBT_PROJECT_DIR / "target" / "sqlfluff.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(dbt_env(database=scratch))
    # sqlfluff takes its templater only from a .sqlfluff in the working folder: the project's root
    args = [str(Path(arg).resolve()) if Path(arg).exists() else arg for arg in args]
    os.chdir(paths.PROJECT_ROOT)
    sqlfluff = Path(sys.executable).with_name("sqlfluff")  # beside this interpreter: the pinned one
    os.execv(sqlfluff, [str(sqlfluff), *args])


if __name__ == "__main__":
    sys.exit(main())
