"""The export formats: each a renderer of a view (CSV, XLSX, PPTX, PNG charts, drill-down tables)."""
