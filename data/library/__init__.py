"""The data library: imports (validation, workbooks), published versions, the store serving the current one."""
