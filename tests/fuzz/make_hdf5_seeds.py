"""Writes small seed files for fuzz_hdf5_reader: result files written by Apical, rewritten
compactly (contiguous datasets, no chunk padding), so each seed is a few KiB and the fuzzer
mutates structure rather than padding.
    python3 tests/fuzz/make_hdf5_seeds.py OUT_DIR RESULT.h5...
"""
import os
import sys

import h5py


def copy_attrs(src, dst):
    for k in src.attrs:
        dst.attrs.create(k, src.attrs[k], dtype=src.attrs.get_id(k).dtype)


def copy(src, dst):
    copy_attrs(src, dst)
    for name, obj in src.items():
        if isinstance(obj, h5py.Group):
            copy(obj, dst.create_group(name))
        else:
            d = dst.create_dataset(name, data=obj[()], dtype=obj.dtype)
            copy_attrs(obj, d)


out = sys.argv[1]
for path in sys.argv[2:]:
    name = os.path.basename(path).replace(".partial", "")
    with h5py.File(path, "r") as s, h5py.File(os.path.join(out, name), "w", libver="earliest") as d:
        copy(s, d)
