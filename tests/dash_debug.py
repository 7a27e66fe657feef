"""Every Dash and Flask debug switch turned on, as a careless deployment might (the hardening tests of both
tiers start the app under them and find every dev tool off)."""

from __future__ import annotations

DEBUG_ENV = {
    "DASH_DEBUG": "true",
    "DASH_UI": "true",
    "DASH_PROPS_CHECK": "true",
    "DASH_SERVE_DEV_BUNDLES": "true",
    "DASH_HOT_RELOAD": "true",
    "DASH_PRUNE_ERRORS": "false",
    "DASH_MCP_ENABLED": "true",
    "FLASK_DEBUG": "1",
}
