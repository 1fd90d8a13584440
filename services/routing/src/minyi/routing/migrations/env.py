from minyi.platform.migrations import run_env
from minyi.routing.adapters.tables import metadata

run_env(metadata)
