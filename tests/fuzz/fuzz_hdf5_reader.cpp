// libFuzzer target: file bytes -> io::Hdf5Reader (written to a temporary file, since HDF5
// reads files). The contract under test: any file either reads or is refused with an
// io::Hdf5Error naming file and object; anything else that escapes (another exception type,
// a crash, a sanitizer report, an allocation the file's size cannot justify, a hang) is a bug.
// Built by tools/fuzz.sh; seeds in corpus_hdf5/ (small result files written by apical).
#include "io/h5_error.hpp"
#include "io/hdf5_reader.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

void read_everything(const std::string& path) {
    apical::io::Hdf5Reader r(path);
    (void)r.meta();
    for (const auto& p : r.spike_populations()) {
        (void)r.population_size(p);
        (void)r.spike_sorting(p);
        (void)r.spike_count(p);
        (void)r.spikes(p);
    }
    for (const auto& n : r.report_names())
        for (const auto& p : r.report_populations(n)) {
            (void)r.report(n, p);
            (void)r.report(n, p, 2);
        }
    for (const auto& p : r.rate_populations()) (void)r.rates(p);
    for (const auto& top : r.children("")) {
        if (r.kind(top) != apical::io::Hdf5Reader::Kind::group) continue;
        for (const auto& c : r.children(top)) {
            const std::string path2 = top + "/" + c;
            (void)r.attr_string(path2, "units");
            if (r.kind(path2) != apical::io::Hdf5Reader::Kind::group) continue;
            for (const auto& d : r.children(path2)) {
                const std::string p3 = path2 + "/" + d;
                if (r.kind(p3) == apical::io::Hdf5Reader::Kind::dataset) {
                    (void)r.dims(p3);
                    (void)r.read_doubles(p3);
                }
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/apical_fuzz_hdf5_" + std::to_string(::getpid()) + ".h5";
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        return 0;
    }
    try {
        read_everything(path);
    } catch (const apical::io::Hdf5Error&) {}
    return 0;
}
