from minyi.liaison.adapters.tables import metadata
from minyi.platform.migrations import run_env

run_env(metadata)
