"""The daily schedule (cron and timezone configurable through the environment)."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.orchestration.jobs import build_everything
from pipelines.orchestration.sensors import sweep_dead_runs

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dg.schedule(
    name="daily_build",
    job=build_everything,
    cron_schedule=os.environ.get("DISCLOSURE_SCHEDULE_CRON", DEFAULT_CRON),
    execution_timezone=os.environ.get("DISCLOSURE_SCHEDULE_TIMEZONE", DEFAULT_TIMEZONE),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rebuild everything daily (02:00 Asia/Shanghai unless DISCLOSURE_SCHEDULE_CRON says otherwise).",
)
def daily_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """A run every day; first fail the runs whose process is gone, so this one is not queued behind them."""
    sweep_dead_runs(context)
    return dg.RunRequest()
