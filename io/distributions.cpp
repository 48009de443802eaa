#include "io/distributions.hpp"

#include <cmath>

namespace apical::io {

Distribution read_distribution(const Checker& c, const YAML::Node& n, Dim d, const std::string& path) {
    Distribution out;
    if (!n.IsMap()) {
        out.a = c.quantity(n, d, path);
        return out;
    }
    const YAML::Node kind_node = c.required(n, "distribution", path);
    const std::string kind = c.scalar(kind_node, path + ".distribution");
    auto q = [&](const char* key) { return c.quantity(c.required(n, key, path), d, path + "." + key); };
    auto fail_at = [&](const char* key, const std::string& msg) { c.fail(n[key], path + "." + key + ": " + msg); };
    if (kind == "uniform") {
        c.keys(n, path, {"distribution", "low", "high"});
        out.kind = Distribution::Kind::uniform;
        out.a = q("low");
        out.b = q("high");
        if (out.b < out.a) fail_at("high", "must be >= low (" + format_quantity(out.a, d) + ")");
    } else if (kind == "normal") {
        c.keys(n, path, {"distribution", "mean", "sd", "min", "max"});
        out.kind = Distribution::Kind::normal;
        out.a = q("mean");
        out.b = q("sd");
        if (out.b < 0) fail_at("sd", "must be >= 0");
        if (n["min"]) out.lo = q("min");
        if (n["max"]) out.hi = q("max");
        if (out.hi < out.lo) fail_at("max", "must be >= min (" + format_quantity(out.lo, d) + ")");
    } else if (kind == "lognormal") {
        c.keys(n, path, {"distribution", "mean", "sd"});
        out.kind = Distribution::Kind::lognormal;
        const double m = q("mean"), s = q("sd");
        if (!(m > 0)) fail_at("mean", "must be > 0 (a lognormal value is positive)");
        if (s < 0) fail_at("sd", "must be >= 0");
        // Mean m and sd s of the value X = exp(Y), Y ~ N(mu, sigma):
        // m = exp(mu + sigma^2/2), s^2 = (exp(sigma^2) - 1) m^2.
        const double sigma2 = std::log1p((s / m) * (s / m));
        out.a = std::log(m) - sigma2 / 2;
        out.b = std::sqrt(sigma2);
    } else {
        c.fail(kind_node, path + ".distribution: unknown distribution '" + kind +
                              "'; allowed: uniform, normal, lognormal (or a plain value for a constant)");
    }
    return out;
}

} // namespace apical::io
