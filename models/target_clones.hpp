// Hot loops compiled in several versions (baseline, AVX2, AVX-512), one picked at load time
// by an ifunc resolver. ThreadSanitizer instruments that resolver, which then runs before the
// sanitizer is set up and crashes the program at load, so TSan builds get one version.
#pragma once

#if defined(__SANITIZE_THREAD__) // GCC
#define APICAL_ONE_VERSION 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) // clang
#define APICAL_ONE_VERSION 1
#endif
#endif

#if defined(APICAL_ONE_VERSION)
#define APICAL_TARGET_CLONES
#else
#define APICAL_TARGET_CLONES [[gnu::target_clones("default", "avx2", "arch=x86-64-v4")]]
#endif
