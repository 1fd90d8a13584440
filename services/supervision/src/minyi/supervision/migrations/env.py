from minyi.platform.migrations import run_env
from minyi.supervision.adapters.tables import metadata

run_env(metadata)
