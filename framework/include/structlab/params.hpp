#pragma once
/// \file
/// Params: the typed key/value parameters a plugin receives, with where each value came from.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace structlab {

/// Where a value was written: file and 1-based line/column (0 when unknown, e.g. a `--set` override).
struct SourceLocation {
  std::string file;  ///< spec file, or a description such as "--set"
  int line = 0;      ///< 1-based line, 0 when unknown
  int column = 0;    ///< 1-based column, 0 when unknown

  /// "file:line:column", "file", or "" depending on what is known.
  std::string to_string() const;
};

/// The value types a parameter can have.
enum class ParamType { boolean, integer, real, string, integer_list, real_list, string_list };

/// Human name of a type, e.g. "integer" or "list of reals".
const char* to_string(ParamType type);

/// A parameter value; the alternative's index follows ParamType's order.
using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                                std::vector<double>, std::vector<std::string>>;

/// The ParamType of a value.
ParamType type_of(const ParamValue& value);

/// Renders a value as YAML flow text, e.g. `0.5`, `true`, `[4, 6]`, `"abc"`.
std::string to_yaml(const ParamValue& value);

/// A parameter a plugin declares: name, type, default (none = required) and a one-line doc.
struct ParamSpec {
  std::string name;                         ///< key in the spec
  ParamType type = ParamType::real;         ///< expected type
  std::optional<ParamValue> default_value;  ///< absent: the parameter is required
  std::string doc;                          ///< one line for `structlab plugins`

  /// True when the parameter has no default.
  bool required() const { return !default_value.has_value(); }
};

/// Declares a required parameter.
ParamSpec required_param(std::string name, ParamType type, std::string doc);
/// Declares an optional parameter with its default.
ParamSpec optional_param(std::string name, ParamValue default_value, std::string doc);

/// Typed parameters of one plugin instance.
///
/// Values are kept with their source location so that every error can point into the spec.
/// Getters throw ConfigError when the key is missing or holds another type; an integer is accepted
/// where a real is asked for.
class Params {
 public:
  /// An empty parameter set owned by \p owner (e.g. "generator 'watts_strogatz'"), used in messages.
  explicit Params(std::string owner = "", std::string key_prefix = "");

  /// Sets \p key to \p value, remembering where it was written.
  void set(const std::string& key, ParamValue value, SourceLocation where = {});
  /// True when \p key has a value.
  bool has(const std::string& key) const;
  /// Every key, in ascending order.
  std::vector<std::string> keys() const;
  /// The raw value of \p key; throws ConfigError when missing.
  const ParamValue& value(const std::string& key) const;
  /// Where \p key was written (empty location when unknown or missing).
  SourceLocation location_of(const std::string& key) const;

  /// Boolean value of \p key.
  bool get_bool(const std::string& key) const;
  /// Integer value of \p key.
  std::int64_t get_int(const std::string& key) const;
  /// Real value of \p key (integers are converted).
  double get_double(const std::string& key) const;
  /// String value of \p key.
  const std::string& get_string(const std::string& key) const;
  /// Integer list value of \p key.
  std::vector<std::int64_t> get_int_list(const std::string& key) const;
  /// Real list value of \p key (integer lists are converted).
  std::vector<double> get_double_list(const std::string& key) const;
  /// String list value of \p key.
  std::vector<std::string> get_string_list(const std::string& key) const;

  /// Throws ConfigError for \p key: "<file:line:col>: <prefix.key>: <owner>: <message>".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  /// Checks these params against \p specs and returns a copy with defaults filled in.
  /// Throws ConfigError for an unknown key (listing the known ones), a missing required key, or a value
  /// of the wrong type (naming expected and given type). Integers become reals where a real is declared.
  Params validated(const std::vector<ParamSpec>& specs) const;

  /// Who owns these params, e.g. "generator 'watts_strogatz'".
  const std::string& owner() const { return owner_; }
  /// Sets the owner used in error messages.
  void set_owner(std::string owner) { owner_ = std::move(owner); }
  /// Key path prefix used in messages, e.g. "structure".
  const std::string& key_prefix() const { return key_prefix_; }
  /// Sets the key path prefix used in messages.
  void set_key_prefix(std::string prefix) { key_prefix_ = std::move(prefix); }

  /// Equality of keys and values (locations and owner are ignored).
  bool operator==(const Params& other) const;

 private:
  struct Entry {
    ParamValue value;
    SourceLocation where;
  };
  template <typename T>
  const T& typed(const std::string& key, ParamType expected) const;

  std::string owner_;
  std::string key_prefix_;
  std::map<std::string, Entry> entries_;
};

}  // namespace structlab
