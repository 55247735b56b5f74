"""A sensor on the raw folder: a run when files are added, removed or changed."""

import dagster as dg

from pipelines.extract.scan import RawFolderError, raw_fingerprint
from pipelines.orchestration.dead_runs import mark_dead_runs
from pipelines.orchestration.jobs import build_everything
from pipelines.orchestration.resources import PipelinePaths


def sweep_dead_runs(context: dg.SensorEvaluationContext | dg.ScheduleEvaluationContext) -> None:
    """Fail runs whose process is gone, so the queue behind their slot drains (dead_runs)."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return  # a context built in a test without an instance
    marked = mark_dead_runs(instance)
    if marked:
        context.log.warning(f"marked failed, their process gone: {', '.join(marked)}")


@dg.sensor(
    name="raw_folder_sensor",
    job=build_everything,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts build_everything when the raw folder's files change (cursor: the folder's fingerprint).",
)
def raw_folder_sensor(
    context: dg.SensorEvaluationContext, pipeline_paths: PipelinePaths
) -> dg.RunRequest | dg.SkipReason:
    sweep_dead_runs(context)
    try:
        fingerprint = raw_fingerprint(pipeline_paths.raw)
    except RawFolderError as exc:
        return dg.SkipReason(str(exc))
    if fingerprint == context.cursor:
        return dg.SkipReason("raw folder unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(tags={"disclosure/trigger": "raw_folder", "disclosure/raw_fingerprint": fingerprint[:16]})
