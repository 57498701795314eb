// Assembling the self-contained report page: Chart.js, the page script, the style and the data, all inlined.

#include "structlab/results/html_report.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "results/report_data.hpp"
#include "results/report_page.hpp"
#include "structlab/error.hpp"

namespace structlab::results {
namespace {

std::string html_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Text inside <script> ends at the first "</script": JSON may say "<\/" instead of "</" with the same
// meaning.
std::string script_safe_json(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && (json[i + 1] == '/' || json[i + 1] == '!')) {
      out += "\\u003c";
    } else {
      out += json[i];
    }
  }
  return out;
}

std::string read_chart_library(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(
        fmt::format("{}: cannot read Chart.js (install Debian's libjs-chart.js, or set STRUCTLAB_CHARTJS "
                    "to Chart.js's chart.min.js)",
                    path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string library = text.str();
  if (library.find("</script") != std::string::npos) {
    throw ConfigError(fmt::format("{}: contains \"</script\" and cannot be inlined", path.string()));
  }
  return library;
}

std::size_t experiment_count(const Collection& collection) {
  std::set<std::string> names;
  for (const CollectedRun& run : collection.runs) names.insert(run.experiment);
  return names.size();
}

}  // namespace

ReportOptions report_options_from_environment(ReportOptions options) {
  if (const char* chart = std::getenv("STRUCTLAB_CHARTJS"); chart != nullptr && *chart != '\0') {
    options.chart_library = chart;
  }
  if (const char* dot = std::getenv("STRUCTLAB_DOT"); dot != nullptr && *dot != '\0')
    options.dot_program = dot;
  return options;
}

std::string render_html_report(const Collection& collection, const ReportOptions& options) {
  std::string library = read_chart_library(options.chart_library);
  std::string data = script_safe_json(detail::report_data(collection, options)
                                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string page;
  page.reserve(library.size() + data.size() + 32768);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // nothing may leave the page: every script and style is inline, images only from data: URLs
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src "
      "'unsafe-inline'; "
      "style-src 'unsafe-inline'; img-src data:; font-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + html_escaped(options.title) + "</title>\n";
  page += "<style>\n" + std::string(detail::report_page_style()) + "</style>\n";
  page += "<script>\n" + std::string(detail::report_error_capture_script()) + "</script>\n";
  page += "<script>\n" + library + "\n</script>\n";
  page += "</head>\n<body>\n";
  page += "<h1>" + html_escaped(options.title) + "</h1>\n";
  page += fmt::format(
      "<p class=\"note\">{} runs from {} experiments. Written by structlab report; charts by Chart.js, "
      "structure drawings by Graphviz.</p>\n",
      collection.runs.size(), experiment_count(collection));
  page += "<main id=\"content\"></main>\n";
  page += "<pre id=\"structlab-render-status\" hidden></pre>\n";
  page += "<script type=\"application/json\" id=\"structlab-data\">" + data + "</script>\n";
  page += "<script>\n" + std::string(detail::report_page_script()) + "</script>\n";
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace structlab::results
