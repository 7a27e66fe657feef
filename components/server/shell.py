"""The page shell both Dash apps share: the index template, the trimmed script tags, where Bootstrap is served from."""

from __future__ import annotations

import re
from pathlib import Path

from dash import Dash

from components.server import auth, bundle

INDEX_STRING = """<!DOCTYPE html>
<html lang="zh-CN">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


# dcc's lazily loaded chunks every dashboard page needs: fetched with the page, not after its first render.
DCC_CHUNKS = ("async-graph.js", "async-dropdown.js")


def index_string(plotly_bundle: bundle.Bundle | None) -> str:
    """The page template. The head preloads dcc's chart and dropdown chunks and, when built, the partial
    plotly.js, which assets/app.js evaluates while the layout request is out and dcc.Graph then uses.
    Without the build, Dash's full plotly.js as dcc.Graph loads it."""
    links = [f'<link rel="preload" as="script" href="/_dash-component-suites/dash/dcc/{c}">' for c in DCC_CHUNKS]
    if plotly_bundle is not None:
        links.insert(0, f'<link rel="preload" as="script" href="{plotly_bundle.url}" id="sti-plotly">')
    return INDEX_STRING.replace("{%css%}", "\n        ".join([*links, "{%css%}"]))


POLYFILL_TAG = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')


def swap_polyfill(scripts: str, runtime_url: str) -> str:
    """Dash's script tags with its @babel/polyfill replaced by the regenerator runtime (all the component
    bundles need of it on the browsers Dash 4 supports); unchanged when Dash no longer lists the polyfill."""
    return POLYFILL_TAG.sub(lambda _: f'<script src="{runtime_url}"></script>', scripts, count=1)


def drop_scripts(scripts: str, packages: tuple[str, ...]) -> str:
    """Dash's script tags without those of component packages this page never uses (Dash lists every
    package imported anywhere in the process: the drill-down page's grid would load on the dashboard too)."""
    for package in packages:
        scripts = re.sub(
            rf'<script src="[^"]*/_dash-component-suites/{re.escape(package)}/[^"]*"></script>\s*', "", scripts
        )
    return scripts


class StiDash(Dash):
    """Dash with the page's scripts trimmed: the build's runtime for the polyfill (`swap_polyfill`), and no
    scripts of the component packages in `unused`."""

    runtime_url: str | None = None
    unused: tuple[str, ...] = ()

    def interpolate_index(
        self,
        metas: str = "",
        title: str = "",
        css: str = "",
        config: str = "",
        scripts: str = "",
        app_entry: str = "",
        favicon: str = "",
        renderer: str = "",
    ) -> str:
        """The index page; the polyfill swapped when the build is there, unused packages left out."""
        if self.runtime_url:
            scripts = swap_polyfill(scripts, self.runtime_url)
        scripts = drop_scripts(scripts, self.unused)
        return super().interpolate_index(
            metas=metas + auth.csrf_meta(),
            title=title,
            css=css,
            config=config,
            scripts=scripts,
            app_entry=app_entry,
            favicon=favicon,
            renderer=renderer,
        )


def bootstrap_dir() -> Path:
    """Bootstrap 5 CSS and icons as installed by the bootstrap-flask package (served, never copied)."""
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"
