#include "graph/cycle.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace structlab::graph::detail {

std::vector<VertexId> find_cycle(const std::vector<std::vector<VertexId>>& out) {
  enum class State : std::uint8_t { unvisited, on_path, finished };
  std::vector<State> state(out.size(), State::unvisited);
  // explicit stack of (vertex, next out-edge to try): recursion would overflow on long paths
  std::vector<std::pair<VertexId, std::size_t>> path;
  for (std::size_t root = 0; root < out.size(); ++root) {
    if (state[root] != State::unvisited) continue;
    path.push_back({static_cast<VertexId>(root), 0});
    state[root] = State::on_path;
    while (!path.empty()) {
      auto& [vertex, next_edge] = path.back();
      const auto& targets = out[static_cast<std::size_t>(vertex)];
      if (next_edge == targets.size()) {
        state[static_cast<std::size_t>(vertex)] = State::finished;
        path.pop_back();
        continue;
      }
      VertexId target = targets[next_edge++];
      State& target_state = state[static_cast<std::size_t>(target)];
      if (target_state == State::on_path) {
        // the cycle is the part of the current path from target's position to its end
        auto start = std::find_if(path.begin(), path.end(),
                                  [target](const auto& step) { return step.first == target; });
        std::vector<VertexId> cycle;
        for (auto step = start; step != path.end(); ++step) cycle.push_back(step->first);
        return cycle;
      }
      if (target_state == State::unvisited) {
        target_state = State::on_path;
        path.push_back({target, 0});
      }
    }
  }
  return {};
}

}  // namespace structlab::graph::detail
