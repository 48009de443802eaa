// A fresh directory per test (named by tag and process id, so tests can run in parallel
// under ctest), removed with everything in it at the end of the test.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

struct TempDir {
    std::filesystem::path dir;
    explicit TempDir(const std::string& tag) {
        dir = std::filesystem::temp_directory_path() / ("apical_test_" + tag + "_" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string file(const std::string& name) const { return (dir / name).string(); }
    // Writes `text` to `name` in the directory; returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name) << text;
        return file(name);
    }
};
