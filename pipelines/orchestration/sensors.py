"""A sensor on the raw folder: a run when files are added, removed or changed."""

import dagster as dg

from pipelines.extract.scan import RawFolderError, raw_fingerprint
from pipelines.orchestration.jobs import build_everything
from pipelines.orchestration.resources import PipelinePaths


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
    try:
        fingerprint = raw_fingerprint(pipeline_paths.raw)
    except RawFolderError as exc:
        return dg.SkipReason(str(exc))
    if fingerprint == context.cursor:
        return dg.SkipReason("raw folder unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(tags={"disclosure/trigger": "raw_folder", "disclosure/raw_fingerprint": fingerprint[:16]})
