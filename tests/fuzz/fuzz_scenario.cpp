// libFuzzer target: YAML text -> parse_scenario. The contract under test: any input either
// parses or is refused with an io::ScenarioError (FILE:LINE:COL); anything else that escapes
// (another exception type, a crash, a sanitizer report, a hang) is a bug.
// Built by tools/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined); seeds in corpus_scenario/.
#include "io/scenario.hpp"
#include "models/builtin.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const apical::Registry reg = apical::models::builtin_registry();
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        // The label's directory is where relative `csv:` paths resolve: a directory that
        // holds no files, so fuzzed names never reach real data (or /dev/zero).
        const apical::io::Scenario s = apical::io::parse_scenario(text, "/nonexistent-fuzz-dir/fuzz.yaml", {}, reg);
        (void)s;
    } catch (const apical::io::ScenarioError&) {}
    return 0;
}
