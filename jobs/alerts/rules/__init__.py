"""One module per alert rule, each exporting one :class:`jobs.alerts.base.AlertRule`."""
