"""Video and device alarms: vocabulary, rules, storm control, intake and state."""
