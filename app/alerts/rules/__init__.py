"""One module per alert rule, each exporting one :class:`app.alerts.base.AlertRule`."""
