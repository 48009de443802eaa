// Helpers for error messages that name the allowed choices: "did you mean 'size'?"
#pragma once
#include <string>
#include <vector>

namespace apical::io {

// Levenshtein distance (insert, delete, substitute), used to spot typos.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The closest of `choices` to `word` when it is close enough to be a plausible typo;
// "" otherwise.
std::string closest(const std::string& word, const std::vector<std::string>& choices);

// "a, b, c" (or "(none)" for an empty list).
std::string join(const std::vector<std::string>& items);

// "unknown WHAT 'word'; did you mean 'x'? allowed: a, b, c" (the hint only when close).
std::string unknown_choice(const std::string& what, const std::string& word, const std::vector<std::string>& choices);

} // namespace apical::io
