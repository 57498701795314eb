#pragma once
/// \file
/// The five plugin kinds.

#include <optional>
#include <string>

namespace structlab::plugin {

/// What a plugin provides.
enum class PluginKind { generator, model, pruner, dataset, grower };

/// "generator", "model", "pruner", "dataset" or "grower".
const char* to_string(PluginKind kind);
/// Parses a kind name (singular or plural, e.g. "generators"); empty optional when unknown.
std::optional<PluginKind> parse_kind(const std::string& text);

}  // namespace structlab::plugin
