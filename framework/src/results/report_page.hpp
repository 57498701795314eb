#pragma once
// The report page's own script and style (report_page.cpp), inlined into every report.

namespace structlab::results::detail {

/// CSS of the page.
const char* report_page_style();
/// Runs first: records script errors, rejected promises, console errors and blocked requests in
/// `window.structlabErrors` and the root element's `data-errors` attribute (what the browser test reads).
const char* report_error_capture_script();
/// Builds every section from the JSON in `#structlab-data` with Chart.js, then writes what it drew (charts
/// with their datasets and point counts, drawings with vertex and edge counts, errors) as JSON into
/// `#structlab-render-status`.
const char* report_page_script();

}  // namespace structlab::results::detail
