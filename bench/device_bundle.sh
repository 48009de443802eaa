#!/usr/bin/env bash
# Packs what bench/mpi_scaling.py needs on a machine without Apical's Debian packages (the
# lent 16-core machine, which runs another distribution and reaches no package mirror): the
# apical binary, the shared libraries it and OpenMPI load (not glibc's), OpenMPI's launcher,
# plugins and help files (to be copied to their absolute paths there, as root), and
# /usr/bin/time. Output: .bundle/ (add it to .git/info/exclude).
set -euo pipefail
cd "$(dirname "$0")/.."
B=.bundle
rm -rf "$B"; mkdir -p "$B/lib" "$B/bin" "$B/root"
cp build/apical "$B/apical"
cp /usr/bin/time "$B/bin/time"
copy_deps() { # the non-glibc shared libraries of the given files
  ldd "$@" 2>/dev/null | awk '/=> \//{print $3}' | sort -u | while read -r l; do
    case "$(basename "$l")" in libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|libresolv.so*|ld-linux*) continue;; esac
    [ -e "$B/lib/$(basename "$l")" ] || cp -L "$l" "$B/lib/"
  done
}
copy_deps build/apical /usr/bin/orterun /usr/bin/orted
for d in /usr/lib/x86_64-linux-gnu/openmpi /usr/share/openmpi /etc/openmpi; do
  mkdir -p "$B/root$(dirname "$d")"; cp -a "$d" "$B/root$(dirname "$d")/"
done
mkdir -p "$B/root/usr/bin"; cp /usr/bin/orterun /usr/bin/orted "$B/root/usr/bin/"
# Plugins the shared-memory run uses, and their libraries.
copy_deps /usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/mca_{btl_vader,btl_self,pml_ob1,plm_rsh,ess_hnp,ess_env,odls_default,rml_oob,oob_tcp,routed_direct,errmgr_default_hnp,errmgr_default_orted,state_hnp,state_orted,grpcomm_direct,schizo_ompi,pmix_pmix3x}.so 2>/dev/null || true
du -sh "$B"
