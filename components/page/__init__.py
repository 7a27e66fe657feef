"""The Dash page: layout, callbacks, filters, presentation mode, the drill-down page, warm-up."""
