from minyi.platform.migrations import run_env
from minyi.reporting.adapters.tables import metadata

run_env(metadata)
