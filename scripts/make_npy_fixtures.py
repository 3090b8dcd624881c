#!/usr/bin/python3
"""Small .npy files written by NumPy itself, to check the reader against the real format.

    /usr/bin/python3 scripts/make_npy_fixtures.py test/fixtures/npy
"""
import os
import sys

import numpy as np

out = sys.argv[1]
x = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4
np.save(os.path.join(out, "f4_3x4.npy"), x)
np.save(os.path.join(out, "f2_3x4.npy"), x.astype(np.float16))
np.save(os.path.join(out, "f8_3x4.npy"), x.astype(np.float64))
np.save(os.path.join(out, "i8_5.npy"), np.array([0, 1, -2, 300, 70000], dtype=np.int64))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(x))
np.save(os.path.join(out, "big_endian.npy"), x.astype(">f4"))
