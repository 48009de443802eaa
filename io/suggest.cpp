#include "io/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace apical::io {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    // Optimal string alignment (Levenshtein plus adjacent transpositions, since "szie"
    // for "size" is one slip of the fingers). Names are short: a full table is fine.
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

std::string closest(const std::string& word, const std::vector<std::string>& choices) {
    auto lower = [](std::string s) {
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    // A case-only difference ("c_m" for "C_m") is always a typo.
    for (auto& c : choices)
        if (lower(c) == lower(word)) return c;
    // An unambiguous abbreviation ("hi" for "high") is a typo too.
    if (word.size() >= 2) {
        std::vector<std::string> starts;
        for (auto& c : choices)
            if (c.starts_with(word)) starts.push_back(c);
        if (starts.size() == 1) return starts.front();
    }
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

std::string unknown_choice(const std::string& what, const std::string& word, const std::vector<std::string>& choices) {
    std::string msg = "unknown " + what + " '" + word + "'";
    const std::string hint = closest(word, choices);
    if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
    return msg + (hint.empty() ? "; allowed: " : " allowed: ") + join(choices);
}

} // namespace apical::io
