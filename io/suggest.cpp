#include "io/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace apical::io {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    // Two-row dynamic programme; names are short.
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& choices) {
    auto lower = [](std::string s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    // A case-only difference ("c_m" for "C_m") is always a typo.
    for (auto& c : choices)
        if (lower(c) == lower(word)) return c;
    // Otherwise allow about one edit per four characters, at least one.
    const std::size_t limit = 1 + word.size() / 4;
    std::string best;
    std::size_t best_d = limit + 1;
    for (auto& c : choices) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

std::string join(const std::vector<std::string>& items) {
    if (items.empty()) return "(none)";
    std::string out;
    for (auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string unknown_choice(const std::string& what, const std::string& word,
                           const std::vector<std::string>& choices) {
    std::string msg = "unknown " + what + " '" + word + "'";
    const std::string hint = closest(word, choices);
    if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
    return msg + (hint.empty() ? "; allowed: " : " allowed: ") + join(choices);
}

} // namespace apical::io
