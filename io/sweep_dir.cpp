#include "io/sweep_dir.hpp"

#include "io/csv.hpp"
#include "io/h5_error.hpp"
#include "io/hdf5_reader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace apical::io {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

std::string point_file(const std::string& dir, std::size_t index) {
    return (fs::path(dir) / "points" / (std::to_string(index) + ".h5")).string();
}

std::string failure_file(const std::string& dir, std::size_t index) {
    return (fs::path(dir) / "points" / (std::to_string(index) + ".failed")).string();
}

std::string manifest_text(const SweepManifest& m) {
    std::vector<std::string> header{"point"};
    header.insert(header.end(), m.keys.begin(), m.keys.end());
    header.push_back("seed");
    std::string out = csv_line(header) + "\n";
    for (std::size_t i = 0; i < m.values.size(); ++i) {
        std::vector<std::string> row{std::to_string(i)};
        row.insert(row.end(), m.values[i].begin(), m.values[i].end());
        row.push_back(std::to_string(m.seeds[i]));
        out += csv_line(row) + "\n";
    }
    return out;
}

SweepManifest read_manifest(const std::string& dir) {
    const fs::path p = fs::path(dir) / "design.csv";
    std::ifstream in(p);
    if (!in) throw std::runtime_error(dir + ": not a sweep directory (no design.csv; `apical sweep` writes it)");
    std::string line;
    auto bad = [&](int ln, const std::string& what) {
        return std::runtime_error(p.string() + ":" + std::to_string(ln) + ": " + what);
    };
    if (!std::getline(in, line)) throw bad(1, "empty file");
    const std::vector<std::string> header = split_csv_line(line);
    if (header.size() < 2 || header.front() != "point" || header.back() != "seed")
        throw bad(1, "expected the header point,<keys>,seed");
    SweepManifest m;
    m.keys.assign(header.begin() + 1, header.end() - 1);
    for (int ln = 2; std::getline(in, line); ++ln) {
        if (line.empty()) continue;
        const std::vector<std::string> f = split_csv_line(line);
        if (f.size() != header.size())
            throw bad(ln, std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
        if (f.front() != std::to_string(m.values.size()))
            throw bad(ln, "point " + f.front() + " out of order; expected " + std::to_string(m.values.size()));
        m.values.emplace_back(f.begin() + 1, f.end() - 1);
        try {
            m.seeds.push_back(std::stoull(f.back()));
        } catch (const std::exception&) {
            throw bad(ln, "seed '" + f.back() + "' is not a whole number");
        }
    }
    return m;
}

bool write_once(const std::string& dir, const std::string& name, const std::string& text) {
    fs::create_directories(fs::path(dir) / "points");
    const fs::path target = fs::path(dir) / name;
    if (fs::exists(target)) return read_text(target) == text;
    // A private temporary, then rename: readers see the whole file or none, and a
    // concurrent writer of the same text replaces it with identical bytes.
    const fs::path tmp = fs::path(dir) / ("." + name + "." + std::to_string(::getpid()) + "." +
                                          std::to_string(reinterpret_cast<std::uintptr_t>(&text)) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error(tmp.string() + ": cannot write");
    }
    fs::rename(tmp, target);
    return true;
}

PointOnDisk point_on_disk(const std::string& dir, std::size_t index) {
    PointOnDisk p;
    const std::string h5 = point_file(dir, index), failed = failure_file(dir, index);
    if (fs::exists(failed)) {
        std::istringstream s(read_text(failed));
        std::string first;
        std::getline(s, first);
        try {
            p.wall_seconds = std::stod(first);
        } catch (const std::exception&) {
            p.wall_seconds = 0.0;
        }
        std::getline(s, p.message, '\0');
        while (!p.message.empty() && p.message.back() == '\n') p.message.pop_back();
        p.state = PointState::failed;
        return p;
    }
    if (!fs::exists(h5)) return p;
    try {
        Hdf5Reader r(h5);
        p.wall_seconds = r.meta().wall_seconds;
        if (r.meta().completed) {
            p.state = PointState::done;
        } else {
            p.state = PointState::failed;
            p.message = "incomplete result file (completed = 0)";
        }
    } catch (const Hdf5Error& e) {
        p.state = PointState::failed;
        p.message = e.what();
    }
    return p;
}

void write_failure(const std::string& dir, std::size_t index, const std::string& message, double wall_seconds) {
    const std::string path = failure_file(dir, index), tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << wall_seconds << "\n" << message << "\n";
        if (!out.flush()) throw std::runtime_error(tmp + ": cannot write");
    }
    fs::rename(tmp, path);
}

} // namespace apical::io
