#pragma once
// Collects every error found in a spec, so that `structlab validate` can report them all at once.
// Private to the core library.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "structlab/error.hpp"
#include "structlab/params.hpp"

namespace structlab::spec::detail {

/// The error messages found so far, in the order found, each once.
class Problems {
 public:
  /// Records \p message unless it is already recorded (the same mistake shows up once per grid point).
  void add(const std::string& message) {
    if (std::find(messages_.begin(), messages_.end(), message) == messages_.end())
      messages_.push_back(message);
  }

  /// Records "<where>: <key_path>: <message>" (without "<where>: " when the location is unknown).
  void add(const SourceLocation& where, const std::string& key_path, const std::string& message) {
    std::string location = where.to_string();
    add((location.empty() ? "" : location + ": ") + key_path + ": " + message);
  }

  /// Runs \p work; a ConfigError it throws is recorded instead of propagated. Returns false when it threw.
  template <typename Work>
  bool collect(Work&& work) {
    try {
      std::forward<Work>(work)();
      return true;
    } catch (const ConfigError& e) {
      add(e.what());
      return false;
    }
  }

  /// True when nothing was recorded.
  bool empty() const { return messages_.empty(); }
  /// Number of distinct messages.
  std::size_t size() const { return messages_.size(); }
  /// Every message, in the order found.
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

}  // namespace structlab::spec::detail
