#pragma once
// Recognising the few shapes of text a spec or a symbol name may take, in one linear pass each.
// std::regex matches recursively (one stack frame per character in libstdc++), so a 100 000-character
// value overflows the stack: every check on text that comes from input goes through these instead.

#include <cstddef>
#include <string>
#include <string_view>

namespace structlab::detail {

/// True when `text` is `[-+]?[0-9]+` (a YAML 1.2 core-schema integer).
bool is_integer_text(std::string_view text);

/// True when `text` is a YAML 1.2 core-schema float: `[-+]?(.d+|d+(.d*)?)([eE][-+]?d+)?`,
/// `[-+]?.inf` (any of inf/Inf/INF) or `.nan` (nan/NaN/NAN).
bool is_real_text(std::string_view text);

/// True when `text` is not empty and holds only ASCII letters, digits and characters of `punctuation`.
bool is_word_text(std::string_view text, std::string_view punctuation);

/// True when `text` is a non-empty run of ASCII digits.
bool is_digits(std::string_view text);

/// True when `text` is `cpu`, `cuda` or `cuda:N` (N digits).
bool is_device_text(std::string_view text);

/// \p text when it is at most \p limit characters, otherwise its first \p limit characters followed by
/// "... (N characters)": what a message shows of a value that may be 100 000 characters long.
std::string shortened(std::string_view text, std::size_t limit = 60);

}  // namespace structlab::detail
