// `apical export`: a result file to CSV (a directory of tables) or NWB (one file).
#include "app/commands.hpp"
#include "io/export_csv.hpp"
#include "io/export_nwb.hpp"

#include <iostream>

namespace apical::app {

int cmd_export(const ExportOptions& o) {
    try {
        if (o.format == "csv") {
            for (const std::string& f : io::export_csv(o.file, o.output, o.force))
                if (!o.quiet) std::cout << f << "\n";
        } else {
            io::export_nwb(o.file, o.output, o.force);
            if (!o.quiet) std::cout << o.output << "\n";
        }
        return 0;
    } catch (const std::exception& e) {
        // Bad input, an existing output without --force, an unwritable target: all are
        // problems with what the user asked for, hence exit status 2 as for bad usage.
        std::cerr << "apical export: " << e.what() << "\n";
        return 2;
    }
}

} // namespace apical::app
