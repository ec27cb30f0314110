"""SLA: working calendar, policies, the pure stage clock and the SLA clock loop.

* ``calendar``: working-time arithmetic (working hours, weekends, holidays, make-up days).
* ``policy``: the policy file (limits per category class and stage, thresholds, escalation).
* ``stages``: pure functions that start, stop, pause, resume and extend a stage's clock.
* ``schedule``: what the processor writes for the clock (one plan per running stage).
* ``clock``: the loop that turns due plans into ``sla`` inbox events, exactly once.
"""
