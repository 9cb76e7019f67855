// Reporting: histograms, run results, renderers, merge, thresholds.
