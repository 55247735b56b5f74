"""The dbt project as Dagster sees it; `DbtProject` and its preparer own the manifest.

`@dbt_assets` reads `target/manifest.json` when the definitions load. dagster-dbt's way: under
`dagster dev` the project is parsed on every load (`prepare_if_dev`); elsewhere the manifest is
prepared before loading (`preparer.prepare`, what `dagster-dbt project prepare-and-package`
calls), here by `disclosure build` and the tests (`prepared_dbt_project`).

Imported only when the definitions are built: dagster-dbt is slow to import.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dagster_dbt import DbtProject, DbtProjectPreparer
from dagster_shared.record import replace

from pipelines import paths
from pipelines.warehouse import run_dbt


class WarehousePreparer(DbtProjectPreparer):
    """`dbt parse` as every dbt command of the project runs (`warehouse.run_dbt`).

    The library's own preparer runs the `dbt` found on PATH, where a virtualenv's scripts
    (`.venv/bin/disclosure`, `.venv/bin/pytest`) do not put it.
    """

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev():
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        outcome = run_dbt(["parse"], quiet=True, target_path=Path(project.project_dir) / project.target_path)
        if not outcome.success or not project.manifest_path.exists():
            raise RuntimeError("dbt parse failed: " + "; ".join(outcome.failures))


@lru_cache(maxsize=1)
def dbt_project() -> DbtProject:
    """The project, its manifest as it is on disk (nothing parsed here)."""
    project = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
    return replace(project, preparer=WarehousePreparer())  # DbtProject() takes no preparer


@lru_cache(maxsize=1)
def prepared_dbt_project() -> DbtProject:
    """The project with its manifest parsed now, once per process, so that a model edited since
    the last parse is in the graph (dbt's partial parsing re-reads only what changed)."""
    project = dbt_project()
    project.preparer.prepare(project)
    return project
