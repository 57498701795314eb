// Generator plugin from_file: a graph read from an edge list, GraphML, DOT or JSON file.

#include <optional>

#include "structlab/error.hpp"
#include "structlab/graph/io.hpp"
#include "structlab/plugin/generator.hpp"
#include "structlab/plugin/register.hpp"

namespace {

class FromFile : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"a graph read from a file: edge list, GraphML, DOT or JSON (directed as the file says)",
            "1.0.0",
            {structlab::required_param("path", structlab::ParamType::string, "graph file"),
             structlab::optional_param("format", std::string(),
                                       "edgelist, graphml, dot or json; empty: from the extension")}};
  }

  explicit FromFile(const structlab::Params& params) : path_(params.get_string("path")) {
    if (path_.empty()) params.fail("path", "must name a graph file");
    const std::string& format = params.get_string("format");
    try {
      if (!format.empty())
        format_ = structlab::graph::parse_graph_format(format);
      else
        structlab::graph::format_from_extension(path_);
    } catch (const structlab::Error& e) {
      params.fail(format.empty() ? "path" : "format", e.what());
    }
  }

  /// Reads the file on every call; throws DataError naming the path when it is missing or malformed.
  structlab::graph::EdgeListGraph generate(std::uint64_t /*seed*/) const override {
    return structlab::graph::read_graph(path_, format_);
  }

 private:
  std::string path_;
  std::optional<structlab::graph::GraphFormat> format_;
};

}  // namespace

STRUCTLAB_REGISTER_GENERATOR(FromFile, from_file)
