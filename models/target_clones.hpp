// Hot loops compiled in several versions (baseline, AVX2, AVX-512), one picked at load time
// by an ifunc resolver. ThreadSanitizer instruments that resolver, which then runs before the
// sanitizer is set up and crashes the program at load, so TSan builds get one version.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define APICAL_TARGET_CLONES
#else
#define APICAL_TARGET_CLONES [[gnu::target_clones("default", "avx2", "arch=x86-64-v4")]]
#endif
