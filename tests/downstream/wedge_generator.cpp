// A third-party generator: `width` vertices all feeding one sink.

#include <structlab/plugin/generator.hpp>
#include <structlab/plugin/register.hpp>

class Wedge : public structlab::plugin::StructureGenerator {
 public:
  static structlab::plugin::PluginInfo info() {
    return {"width sources feeding one sink (out-of-tree plugin)", "2.0.0",
            {structlab::optional_param("width", std::int64_t{3}, "number of sources")}};
  }
  explicit Wedge(const structlab::Params& params) : width_(params.get_int("width")) {
    if (width_ < 1) params.fail("width", "must be at least 1");
  }
  structlab::graph::EdgeListGraph generate(std::uint64_t) const override {
    structlab::graph::EdgeListGraph graph;
    graph.num_vertices = width_ + 1;
    graph.directed = true;
    for (std::int64_t v = 0; v < width_; ++v) graph.edges.push_back({v, width_});
    return graph;
  }

 private:
  std::int64_t width_;
};

STRUCTLAB_REGISTER_GENERATOR(Wedge, downstream_wedge)
