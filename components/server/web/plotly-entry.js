// The page's plotly.js: the core (scatter) plus the trace types the figures use, nothing else.
// Bundled at set-up (`make bundle`) from the plotly.js package installed from the npm registry, into the
// git-ignored build/; app.py serves the result, and Dash's dcc.Graph uses the window.Plotly it finds.
// A figure module that adds a trace type must add it here too (a unit test compares the two).
//
// Evaluated in steps, one task each. esbuild wraps every module in a function run on its first require,
// so requiring plotly.js's heavier modules a few at a time, a new task between, spreads the ~100-130 ms
// its evaluation takes on a small machine (one task that held the page, the longest of a first load) over
// tasks of 15-35 ms each. window.Plotly is set after the last step: until then dcc.Graph waits on the
// promise assets/app.js puts there. The steps only move work earlier; the last one requires the whole.
'use strict';
var steps = [
    function () {
        require('native-promise-only');
        require('@plotly/d3');
        require('d3-time-format');
        require('d3-format');
    },
    function () {
        require('plotly.js/src/lib/coerce');
        require('plotly.js/src/lib/dates');
    },
    function () {
        require('plotly.js/src/lib');
        require('plotly.js/build/plotcss');
        require('plotly.js/src/registry');
        require('plotly.js/src/plots/plots');
    },
    function () {
        require('plotly.js/src/plots/cartesian/axes');
    },
    function () {
        require('plotly.js/src/plots/cartesian');
        require('plotly.js/src/plot_api');
    },
    function () {
        require('plotly.js/lib/core');
    },
    function () {
        var Plotly = require('plotly.js/lib/core');
        Plotly.register([
            require('plotly.js/lib/bar'),
            require('plotly.js/lib/heatmap'),
            require('plotly.js/lib/sankey'),
        ]);
        window.Plotly = Plotly;
    },
];

function run(i) {
    steps[i]();
    if (i + 1 < steps.length) {
        var channel = new MessageChannel();  // a new task, without setTimeout's clamping
        channel.port1.onmessage = function () { run(i + 1); };
        channel.port2.postMessage(0);
    }
}

run(0);
