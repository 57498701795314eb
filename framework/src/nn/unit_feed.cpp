#include "nn/unit_feed.hpp"

#include <algorithm>
#include <iterator>

#include "structlab/error.hpp"

namespace structlab::nn::detail {
namespace {

/// Sorted union of two ascending vertex lists.
std::vector<graph::VertexId> merged(const std::vector<graph::VertexId>& a,
                                    const std::vector<graph::VertexId>& b) {
  std::vector<graph::VertexId> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

const char* to_string(FeedLayout layout) {
  switch (layout) {
    case FeedLayout::features:
      return "features";
    case FeedLayout::channels:
      return "channels";
    case FeedLayout::flattened:
      return "flattened channels";
  }
  return "?";
}

UnitFeed UnitFeed::fresh(FeedLayout layout, graph::VertexId first, std::int64_t count) {
  UnitFeed feed;
  feed.layout = layout;
  feed.slots.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) feed.slots.push_back({first + i});
  return feed;
}

UnitFeed flattened(UnitFeed feed) {
  if (feed.layout == FeedLayout::channels) feed.layout = FeedLayout::flattened;
  return feed;
}

UnitFeed unflattened(UnitFeed feed) {
  if (feed.layout == FeedLayout::features) feed.layout = FeedLayout::channels;
  return feed;
}

UnitFeed grouped(const UnitFeed& feed, std::int64_t channels) {
  UnitFeed out;
  out.layout = FeedLayout::channels;
  const std::size_t per_channel = feed.slots.size() / static_cast<std::size_t>(channels);
  for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
    std::vector<graph::VertexId> sources;
    for (std::size_t k = c * per_channel; k < (c + 1) * per_channel; ++k)
      sources = merged(sources, feed.slots[k]);
    out.slots.push_back(std::move(sources));
  }
  return out;
}

std::string describe(const UnitFeed& feed) {
  if (feed.model_input)
    return feed.layout == FeedLayout::flattened ? "the flattened model input" : "the model input";
  return std::to_string(feed.slots.size()) + " " + to_string(feed.layout);
}

UnitFeed combined(const UnitFeed& a, const UnitFeed& b, const std::string& where) {
  FeedLayout layout = a.layout;
  if (a.layout != b.layout) {
    const bool features_as_channels =
        (a.layout == FeedLayout::features && b.layout == FeedLayout::channels) ||
        (a.layout == FeedLayout::channels && b.layout == FeedLayout::features);
    if (!features_as_channels) {
      throw ModelError(where + " combines a tensor of " + describe(a) + " with one of " + describe(b) +
                       "; expected both of the same kind (features, channels, or flattened channels)");
    }
    layout = FeedLayout::channels;
  }
  const std::size_t n = std::max(a.slots.size(), b.slots.size());
  const bool broadcast = a.slots.size() == 1 || b.slots.size() == 1;
  if (a.slots.size() != b.slots.size() && !broadcast) {
    throw ModelError(where + " combines a tensor of " + describe(a) + " with one of " + describe(b) +
                     "; expected the same number (or one, broadcast)");
  }
  UnitFeed out;
  out.layout = layout;
  out.slots.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& from_a = a.slots[a.slots.size() == 1 ? 0 : i];
    const auto& from_b = b.slots[b.slots.size() == 1 ? 0 : i];
    out.slots.push_back(merged(from_a, from_b));
  }
  return out;
}

UnitFeed concatenated(const std::vector<UnitFeed>& parts, const std::string& where) {
  if (parts.empty()) throw ModelError(where + " concatenates no tensor");
  UnitFeed out;
  out.layout = parts.front().layout;
  for (const auto& part : parts) {
    if (part.layout == FeedLayout::flattened) {
      throw ModelError(where + " concatenates flattened convolution outputs (" + describe(part) +
                       "), whose widths per channel are unknown; expected features or unflattened channels "
                       "(concatenate before flattening)");
    }
    if (part.layout != out.layout) {
      throw ModelError(where + " concatenates " + describe(parts.front()) + " with " + describe(part) +
                       "; expected parts of the same kind");
    }
    out.slots.insert(out.slots.end(), part.slots.begin(), part.slots.end());
  }
  return out;
}

}  // namespace structlab::nn::detail
