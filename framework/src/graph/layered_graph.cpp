#include "structlab/graph/layered_graph.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "graph/cycle.hpp"
#include "structlab/error.hpp"
#include "structlab/random.hpp"

namespace structlab::graph {
namespace {

std::string vertex_error_context(VertexId v, std::int64_t n) {
  return "vertex " + std::to_string(v) + " does not exist (the graph has vertices 0.." +
         std::to_string(n - 1) + ")";
}

}  // namespace

Orientation parse_orientation(const std::string& text) {
  if (text == "index") return Orientation::index;
  if (text == "random") return Orientation::random;
  throw ConfigError("orientation '" + text + "' is unknown; expected 'index' or 'random'");
}

const char* to_string(Orientation orientation) {
  return orientation == Orientation::index ? "index" : "random";
}

// The layering and everything derived from it; rebuilt from scratch after any change to the graph.
struct Layering {
  std::vector<std::int32_t> layer_of_vertex;
  std::vector<std::vector<VertexId>> vertices_of_layer;
  std::vector<std::int64_t> index_in_layer;
  // (from layer, to layer) -> number of edges; filled on the first layer-connection query only,
  // because most users never ask and it costs a pass over all edges.
  bool connections_counted = false;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> connection_count;
};

struct LayeredGraph::Impl {
  std::vector<std::vector<VertexId>> out;  // sorted targets
  std::vector<std::vector<VertexId>> in;   // sorted sources
  std::int64_t edge_count = 0;
  mutable std::unique_ptr<Layering> layering;  // null: not computed since the last change

  std::int64_t size() const { return static_cast<std::int64_t>(out.size()); }

  void require_vertex(VertexId v) const {
    if (v < 0 || v >= size()) throw GraphError(vertex_error_context(v, size()));
  }

  void changed() { layering.reset(); }

  const Layering& layered() const {
    if (!layering) layering = std::make_unique<Layering>(compute_layering());
    return *layering;
  }

  // Kahn's algorithm: a vertex's layer is final once all its predecessors are processed, so one pass
  // over the vertices and edges gives the longest-path layering in O(V+E).
  Layering compute_layering() const {
    const std::int64_t n = size();
    Layering result;
    result.layer_of_vertex.assign(static_cast<std::size_t>(n), 0);
    std::vector<std::int64_t> unprocessed_inputs(static_cast<std::size_t>(n));
    std::vector<VertexId> ready;
    ready.reserve(static_cast<std::size_t>(n));
    for (VertexId v = 0; v < n; ++v) {
      unprocessed_inputs[static_cast<std::size_t>(v)] =
          static_cast<std::int64_t>(in[static_cast<std::size_t>(v)].size());
      if (unprocessed_inputs[static_cast<std::size_t>(v)] == 0) ready.push_back(v);
    }
    std::int32_t deepest = -1;
    for (std::size_t next = 0; next < ready.size(); ++next) {
      VertexId v = ready[next];
      std::int32_t layer = result.layer_of_vertex[static_cast<std::size_t>(v)];
      deepest = std::max(deepest, layer);
      for (VertexId target : out[static_cast<std::size_t>(v)]) {
        auto t = static_cast<std::size_t>(target);
        result.layer_of_vertex[t] = std::max(result.layer_of_vertex[t], layer + 1);
        if (--unprocessed_inputs[t] == 0) ready.push_back(target);
      }
    }
    if (static_cast<std::int64_t>(ready.size()) != n) throw_cycle_error(detail::find_cycle(out));

    result.vertices_of_layer.resize(static_cast<std::size_t>(deepest + 1));
    result.index_in_layer.resize(static_cast<std::size_t>(n));
    // ascending ids within each layer come for free from visiting vertices in id order
    for (VertexId v = 0; v < n; ++v) {
      auto& members = result.vertices_of_layer[static_cast<std::size_t>(
          result.layer_of_vertex[static_cast<std::size_t>(v)])];
      result.index_in_layer[static_cast<std::size_t>(v)] = static_cast<std::int64_t>(members.size());
      members.push_back(v);
    }
    return result;
  }

  [[noreturn]] static void throw_cycle_error(const std::vector<VertexId>& cycle) {
    std::string path;
    for (VertexId v : cycle) path += std::to_string(v) + " -> ";
    path += std::to_string(cycle.front());
    throw GraphError("the graph has a directed cycle and cannot be layered: " + path +
                     " (orient an undirected graph with 'index' or 'random', or remove a back edge)");
  }

  const Layering& layered_with_connections() const {
    const Layering& result = layered();
    if (!result.connections_counted) {
      for (std::size_t v = 0; v < out.size(); ++v) {
        std::int64_t from = result.layer_of_vertex[v];
        for (VertexId target : out[v]) {
          ++layering->connection_count[{from, result.layer_of_vertex[static_cast<std::size_t>(target)]}];
        }
      }
      layering->connections_counted = true;
    }
    return result;
  }

  void require_layer(std::int64_t layer) const {
    auto count = static_cast<std::int64_t>(layered().vertices_of_layer.size());
    if (layer < 0 || layer >= count) {
      throw GraphError("layer " + std::to_string(layer) + " does not exist (the graph has layers 0.." +
                       std::to_string(count - 1) + ")");
    }
  }
};

LayeredGraph::LayeredGraph() : impl_(std::make_unique<Impl>()) {}

LayeredGraph::LayeredGraph(std::int64_t num_vertices) : LayeredGraph() {
  if (num_vertices < 0) {
    throw GraphError("a graph cannot have a negative number of vertices (" + std::to_string(num_vertices) +
                     ")");
  }
  impl_->out.resize(static_cast<std::size_t>(num_vertices));
  impl_->in.resize(static_cast<std::size_t>(num_vertices));
}

LayeredGraph::LayeredGraph(std::int64_t num_vertices, const std::vector<Edge>& edges)
    : LayeredGraph(num_vertices) {
  auto& out = impl_->out;
  auto& in = impl_->in;
  // count first so every adjacency vector is allocated once
  std::vector<std::int64_t> out_count(out.size(), 0);
  std::vector<std::int64_t> in_count(in.size(), 0);
  for (const Edge& edge : edges) {
    if (edge.source < 0 || edge.source >= num_vertices || edge.target < 0 || edge.target >= num_vertices) {
      throw GraphError(
          "edge " + std::to_string(edge.source) + " -> " + std::to_string(edge.target) + ": " +
          vertex_error_context(edge.source < 0 || edge.source >= num_vertices ? edge.source : edge.target,
                               num_vertices));
    }
    if (edge.source == edge.target) {
      throw GraphError("edge " + std::to_string(edge.source) + " -> " + std::to_string(edge.target) +
                       " is a self loop; a layered graph has none");
    }
    ++out_count[static_cast<std::size_t>(edge.source)];
    ++in_count[static_cast<std::size_t>(edge.target)];
  }
  for (std::size_t v = 0; v < out.size(); ++v) {
    out[v].reserve(static_cast<std::size_t>(out_count[v]));
    in[v].reserve(static_cast<std::size_t>(in_count[v]));
  }
  for (const Edge& edge : edges) out[static_cast<std::size_t>(edge.source)].push_back(edge.target);
  std::int64_t edge_count = 0;
  for (std::size_t v = 0; v < out.size(); ++v) {
    auto& targets = out[v];
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    edge_count += static_cast<std::int64_t>(targets.size());
    // visiting sources in ascending order keeps every in-list sorted without a second sort
    for (VertexId target : targets) in[static_cast<std::size_t>(target)].push_back(static_cast<VertexId>(v));
  }
  impl_->edge_count = edge_count;
}

LayeredGraph::LayeredGraph(const LayeredGraph& other) : impl_(std::make_unique<Impl>()) {
  impl_->out = other.impl_->out;
  impl_->in = other.impl_->in;
  impl_->edge_count = other.impl_->edge_count;
  if (other.impl_->layering) impl_->layering = std::make_unique<Layering>(*other.impl_->layering);
}

LayeredGraph::LayeredGraph(LayeredGraph&& other) noexcept = default;

LayeredGraph& LayeredGraph::operator=(const LayeredGraph& other) {
  if (this != &other) *this = LayeredGraph(other);
  return *this;
}

LayeredGraph& LayeredGraph::operator=(LayeredGraph&& other) noexcept = default;

LayeredGraph::~LayeredGraph() = default;

LayeredGraph LayeredGraph::from_edge_list(const EdgeListGraph& graph, Orientation orientation,
                                          std::uint64_t seed) {
  if (graph.directed) return LayeredGraph(graph.num_vertices, graph.edges);
  if (graph.num_vertices < 0) {
    throw GraphError("a graph cannot have a negative number of vertices (" +
                     std::to_string(graph.num_vertices) + ")");
  }
  // rank[v] is v's position in the order edges follow; index orientation is the identity order
  std::vector<std::int64_t> rank;
  if (orientation == Orientation::random) {
    // a stream of its own, so orienting with a run's seed does not echo the generator's draws
    Rng rng(Rng::derive(seed, "orientation"));
    rank = rng.permutation(graph.num_vertices);
  }
  std::vector<Edge> oriented;
  oriented.reserve(graph.edges.size());
  for (const Edge& edge : graph.edges) {
    bool in_range = edge.source >= 0 && edge.source < graph.num_vertices && edge.target >= 0 &&
                    edge.target < graph.num_vertices;
    if (!in_range || rank.empty()) {
      // out-of-range ids are reported by the constructor, with the edge named
      oriented.push_back(edge.source <= edge.target ? edge : Edge{edge.target, edge.source});
      continue;
    }
    bool forward = rank[static_cast<std::size_t>(edge.source)] < rank[static_cast<std::size_t>(edge.target)];
    oriented.push_back(forward ? edge : Edge{edge.target, edge.source});
  }
  return LayeredGraph(graph.num_vertices, oriented);
}

VertexId LayeredGraph::add_vertex() {
  impl_->out.emplace_back();
  impl_->in.emplace_back();
  impl_->changed();
  return impl_->size() - 1;
}

void LayeredGraph::add_edge(VertexId source, VertexId target) {
  impl_->require_vertex(source);
  impl_->require_vertex(target);
  if (source == target) {
    throw GraphError("edge " + std::to_string(source) + " -> " + std::to_string(target) +
                     " is a self loop; a layered graph has none");
  }
  auto& targets = impl_->out[static_cast<std::size_t>(source)];
  auto position = std::lower_bound(targets.begin(), targets.end(), target);
  if (position != targets.end() && *position == target) return;
  targets.insert(position, target);
  auto& sources = impl_->in[static_cast<std::size_t>(target)];
  sources.insert(std::lower_bound(sources.begin(), sources.end(), source), source);
  ++impl_->edge_count;
  impl_->changed();
}

bool LayeredGraph::remove_edge(VertexId source, VertexId target) {
  if (!has_edge(source, target)) return false;
  auto& targets = impl_->out[static_cast<std::size_t>(source)];
  targets.erase(std::lower_bound(targets.begin(), targets.end(), target));
  auto& sources = impl_->in[static_cast<std::size_t>(target)];
  sources.erase(std::lower_bound(sources.begin(), sources.end(), source));
  --impl_->edge_count;
  impl_->changed();
  return true;
}

std::int64_t LayeredGraph::num_vertices() const { return impl_->size(); }

std::int64_t LayeredGraph::num_edges() const { return impl_->edge_count; }

bool LayeredGraph::has_edge(VertexId source, VertexId target) const {
  if (source < 0 || source >= impl_->size() || target < 0 || target >= impl_->size()) return false;
  const auto& targets = impl_->out[static_cast<std::size_t>(source)];
  return std::binary_search(targets.begin(), targets.end(), target);
}

const std::vector<VertexId>& LayeredGraph::out_neighbors(VertexId v) const {
  impl_->require_vertex(v);
  return impl_->out[static_cast<std::size_t>(v)];
}

const std::vector<VertexId>& LayeredGraph::in_neighbors(VertexId v) const {
  impl_->require_vertex(v);
  return impl_->in[static_cast<std::size_t>(v)];
}

std::int64_t LayeredGraph::in_degree(VertexId v) const {
  return static_cast<std::int64_t>(in_neighbors(v).size());
}

std::int64_t LayeredGraph::out_degree(VertexId v) const {
  return static_cast<std::int64_t>(out_neighbors(v).size());
}

std::vector<Edge> LayeredGraph::edges() const {
  std::vector<Edge> result;
  result.reserve(static_cast<std::size_t>(impl_->edge_count));
  for (std::size_t v = 0; v < impl_->out.size(); ++v) {
    for (VertexId target : impl_->out[v]) result.push_back({static_cast<VertexId>(v), target});
  }
  return result;
}

std::vector<VertexId> LayeredGraph::sources() const {
  std::vector<VertexId> result;
  for (std::size_t v = 0; v < impl_->in.size(); ++v) {
    if (impl_->in[v].empty()) result.push_back(static_cast<VertexId>(v));
  }
  return result;
}

std::vector<VertexId> LayeredGraph::sinks() const {
  std::vector<VertexId> result;
  for (std::size_t v = 0; v < impl_->out.size(); ++v) {
    if (impl_->out[v].empty()) result.push_back(static_cast<VertexId>(v));
  }
  return result;
}

bool LayeredGraph::is_acyclic() const {
  if (impl_->layering) return true;
  return detail::find_cycle(impl_->out).empty();
}

std::vector<VertexId> LayeredGraph::find_cycle() const {
  if (impl_->layering) return {};
  return detail::find_cycle(impl_->out);
}

std::int64_t LayeredGraph::num_layers() const {
  return static_cast<std::int64_t>(impl_->layered().vertices_of_layer.size());
}

std::vector<std::int64_t> LayeredGraph::layers() const {
  std::vector<std::int64_t> result(static_cast<std::size_t>(num_layers()));
  for (std::size_t l = 0; l < result.size(); ++l) result[l] = static_cast<std::int64_t>(l);
  return result;
}

std::int64_t LayeredGraph::layer_size(std::int64_t layer) const {
  return static_cast<std::int64_t>(vertices(layer).size());
}

const std::vector<VertexId>& LayeredGraph::vertices(std::int64_t layer) const {
  impl_->require_layer(layer);
  return impl_->layered().vertices_of_layer[static_cast<std::size_t>(layer)];
}

std::int64_t LayeredGraph::layer_of(VertexId v) const {
  impl_->require_vertex(v);
  return impl_->layered().layer_of_vertex[static_cast<std::size_t>(v)];
}

std::int64_t LayeredGraph::index_in_layer(VertexId v) const {
  impl_->require_vertex(v);
  return impl_->layered().index_in_layer[static_cast<std::size_t>(v)];
}

const std::vector<std::int32_t>& LayeredGraph::layer_per_vertex() const {
  return impl_->layered().layer_of_vertex;
}

std::int64_t LayeredGraph::first_layer_size() const {
  if (num_layers() == 0) throw GraphError("the graph has no vertices, so it has no first layer");
  return layer_size(0);
}

std::int64_t LayeredGraph::last_layer_size() const {
  if (num_layers() == 0) throw GraphError("the graph has no vertices, so it has no last layer");
  return layer_size(num_layers() - 1);
}

bool LayeredGraph::layer_connected(std::int64_t from, std::int64_t to) const {
  return layer_connection_size(from, to) > 0;
}

std::int64_t LayeredGraph::layer_connection_size(std::int64_t from, std::int64_t to) const {
  impl_->require_layer(from);
  impl_->require_layer(to);
  const auto& counts = impl_->layered_with_connections().connection_count;
  auto found = counts.find({from, to});
  return found == counts.end() ? 0 : found->second;
}

std::vector<std::int64_t> LayeredGraph::edge_array() const {
  std::vector<std::int64_t> result;
  result.reserve(static_cast<std::size_t>(2 * impl_->edge_count));
  for (std::size_t v = 0; v < impl_->out.size(); ++v) {
    for (VertexId target : impl_->out[v]) {
      result.push_back(static_cast<std::int64_t>(v));
      result.push_back(target);
    }
  }
  return result;
}

bool LayeredGraph::operator==(const LayeredGraph& other) const { return impl_->out == other.impl_->out; }

}  // namespace structlab::graph
