"""Wall compositions as data: one TOML or YAML file per wall (schema: dashboard.wall.layouts)."""
