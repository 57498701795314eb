#include "structlab/params.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "structlab/error.hpp"

namespace structlab {
namespace {

std::string quote_if_needed(const std::string& text) {
  // YAML flow text: plain when it cannot be mistaken for another type or structure.
  bool plain = !text.empty();
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/')) {
      plain = false;
    }
  }
  if (plain && (text == "true" || text == "false" || text == "null" || text == "~" ||
                std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '.')) {
    plain = false;
  }
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string format_real(double value) {
  std::string text = fmt::format("{}", value);
  // keep reals recognisable as reals in YAML text
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string SourceLocation::to_string() const {
  if (file.empty() && line == 0) return "";
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::boolean: return "boolean";
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::string: return "string";
    case ParamType::integer_list: return "list of integers";
    case ParamType::real_list: return "list of reals";
    case ParamType::string_list: return "list of strings";
  }
  return "unknown";
}

ParamType type_of(const ParamValue& value) { return static_cast<ParamType>(value.index()); }

std::string to_yaml(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_real(v); }
    std::string operator()(const std::string& v) const { return quote_if_needed(v); }
    std::string operator()(const std::vector<std::int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ", ")); }
    std::string operator()(const std::vector<double>& v) const {
      std::vector<std::string> parts;
      for (double x : v) parts.push_back(format_real(x));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      std::vector<std::string> parts;
      for (const auto& x : v) parts.push_back(quote_if_needed(x));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
  };
  return std::visit(Visitor{}, value);
}

ParamSpec required_param(std::string name, ParamType type, std::string doc) {
  return ParamSpec{std::move(name), type, std::nullopt, std::move(doc)};
}

ParamSpec optional_param(std::string name, ParamValue default_value, std::string doc) {
  ParamType type = type_of(default_value);
  return ParamSpec{std::move(name), type, std::move(default_value), std::move(doc)};
}

Params::Params(std::string owner, std::string key_prefix)
    : owner_(std::move(owner)), key_prefix_(std::move(key_prefix)) {}

void Params::set(const std::string& key, ParamValue value, SourceLocation where) {
  entries_[key] = Entry{std::move(value), std::move(where)};
}

bool Params::has(const std::string& key) const { return entries_.count(key) > 0; }

std::vector<std::string> Params::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_) out.push_back(key);
  return out;
}

const ParamValue& Params::value(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) fail(key, "required parameter is missing");
  return it->second.value;
}

SourceLocation Params::location_of(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? SourceLocation{} : it->second.where;
}

void Params::fail(const std::string& key, const std::string& message) const {
  std::string where = location_of(key).to_string();
  std::string path = key_prefix_.empty() ? key : key_prefix_ + "." + key;
  std::string text;
  if (!where.empty()) text += where + ": ";
  text += path + ": ";
  if (!owner_.empty()) text += owner_ + ": ";
  text += message;
  throw ConfigError(text);
}

template <typename T>
const T& Params::typed(const std::string& key, ParamType expected) const {
  const ParamValue& v = value(key);
  if (const T* typed_value = std::get_if<T>(&v)) return *typed_value;
  fail(key, fmt::format("expected a {}, got the {} {}", to_string(expected), to_string(type_of(v)), to_yaml(v)));
}

bool Params::get_bool(const std::string& key) const { return typed<bool>(key, ParamType::boolean); }

std::int64_t Params::get_int(const std::string& key) const { return typed<std::int64_t>(key, ParamType::integer); }

double Params::get_double(const std::string& key) const {
  const ParamValue& v = value(key);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return typed<double>(key, ParamType::real);
}

const std::string& Params::get_string(const std::string& key) const {
  return typed<std::string>(key, ParamType::string);
}

std::vector<std::int64_t> Params::get_int_list(const std::string& key) const {
  return typed<std::vector<std::int64_t>>(key, ParamType::integer_list);
}

std::vector<double> Params::get_double_list(const std::string& key) const {
  const ParamValue& v = value(key);
  if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&v)) {
    return std::vector<double>(ints->begin(), ints->end());
  }
  return typed<std::vector<double>>(key, ParamType::real_list);
}

std::vector<std::string> Params::get_string_list(const std::string& key) const {
  return typed<std::vector<std::string>>(key, ParamType::string_list);
}

namespace {

// Converts a value to the declared type where that loses nothing; empty optional when it cannot.
std::optional<ParamValue> coerce(const ParamValue& value, ParamType wanted) {
  ParamType have = type_of(value);
  if (have == wanted) return value;
  if (wanted == ParamType::real && have == ParamType::integer) {
    return ParamValue(static_cast<double>(std::get<std::int64_t>(value)));
  }
  if (wanted == ParamType::real_list && have == ParamType::integer_list) {
    const auto& ints = std::get<std::vector<std::int64_t>>(value);
    return ParamValue(std::vector<double>(ints.begin(), ints.end()));
  }
  // an empty list is parsed as a list of strings; it fits every list type
  if (have == ParamType::string_list && std::get<std::vector<std::string>>(value).empty()) {
    if (wanted == ParamType::integer_list) return ParamValue(std::vector<std::int64_t>{});
    if (wanted == ParamType::real_list) return ParamValue(std::vector<double>{});
  }
  // a single value where a list is declared
  if (wanted == ParamType::integer_list && have == ParamType::integer) {
    return ParamValue(std::vector<std::int64_t>{std::get<std::int64_t>(value)});
  }
  if (wanted == ParamType::real_list && (have == ParamType::integer || have == ParamType::real)) {
    double x = have == ParamType::integer ? static_cast<double>(std::get<std::int64_t>(value)) : std::get<double>(value);
    return ParamValue(std::vector<double>{x});
  }
  if (wanted == ParamType::string_list && have == ParamType::string) {
    return ParamValue(std::vector<std::string>{std::get<std::string>(value)});
  }
  return std::nullopt;
}

}  // namespace

Params Params::validated(const std::vector<ParamSpec>& specs) const {
  Params out(owner_, key_prefix_);
  for (const auto& [key, entry] : entries_) {
    // a structured binding cannot be captured before C++20 (clang refuses it; the fuzz build uses clang)
    const std::string& name = key;
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::vector<std::string> known;
      for (const auto& s : specs) known.push_back(s.name);
      fail(key, known.empty() ? "unknown parameter (this plugin takes no parameters)"
                              : fmt::format("unknown parameter; expected one of: {}", fmt::join(known, ", ")));
    }
    auto converted = coerce(entry.value, spec->type);
    if (!converted) {
      fail(key, fmt::format("expected a {}, got the {} {}", to_string(spec->type), to_string(type_of(entry.value)),
                            to_yaml(entry.value)));
    }
    out.set(key, *converted, entry.where);
  }
  for (const auto& spec : specs) {
    if (out.has(spec.name)) continue;
    if (spec.required()) {
      fail(spec.name, fmt::format("required parameter is missing (a {}: {})", to_string(spec.type), spec.doc));
    }
    out.set(spec.name, *spec.default_value);
  }
  return out;
}

bool Params::operator==(const Params& other) const {
  if (entries_.size() != other.entries_.size()) return false;
  for (const auto& [key, entry] : entries_) {
    auto it = other.entries_.find(key);
    if (it == other.entries_.end() || !(it->second.value == entry.value)) return false;
  }
  return true;
}

}  // namespace structlab
