// The page's plotly.js: the core (scatter) plus the trace types the figures use, nothing else.
// Bundled at set-up (`make bundle`) from the plotly.js package installed from the npm registry, into the
// git-ignored build/; app.py serves the result, and Dash's dcc.Graph uses the window.Plotly it finds.
// A figure module that adds a trace type must add it here too (a unit test compares the two).
'use strict';
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/sankey'),
]);

window.Plotly = Plotly;
