#include "core/plain_text.hpp"

namespace structlab::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view without_sign(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  return text;
}

// Consumes the leading digits of `text`; returns how many there were.
std::size_t skip_digits(std::string_view& text) {
  std::size_t count = 0;
  while (count < text.size() && is_digit(text[count])) ++count;
  text.remove_prefix(count);
  return count;
}

}  // namespace

bool is_digits(std::string_view text) {
  std::string_view rest = text;
  return skip_digits(rest) > 0 && rest.empty();
}

bool is_integer_text(std::string_view text) { return is_digits(without_sign(text)); }

bool is_real_text(std::string_view text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return true;
  std::string_view rest = without_sign(text);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  if (rest.empty()) return false;
  if (rest.front() == '.') {
    rest.remove_prefix(1);
    if (skip_digits(rest) == 0) return false;
  } else {
    if (skip_digits(rest) == 0) return false;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      skip_digits(rest);
    }
  }
  if (!rest.empty() && (rest.front() == 'e' || rest.front() == 'E')) {
    rest.remove_prefix(1);
    return is_digits(without_sign(rest));
  }
  return rest.empty();
}

bool is_word_text(std::string_view text, std::string_view punctuation) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_alnum(c) && punctuation.find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool is_device_text(std::string_view text) {
  if (text == "cpu" || text == "cuda") return true;
  constexpr std::string_view prefix = "cuda:";
  return text.substr(0, prefix.size()) == prefix && is_digits(text.substr(prefix.size()));
}

std::string shortened(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "... (" + std::to_string(text.size()) + " characters)";
}

}  // namespace structlab::detail
