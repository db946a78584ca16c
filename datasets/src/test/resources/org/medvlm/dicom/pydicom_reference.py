"""Expected `medvlm dicom info --json` figures computed by pydicom, for PydicomReferenceTest and PydicomLiveTest.

usage: /usr/bin/python3 pydicom_reference.py FILE... > figures.json   (Debian: apt-get install python3-pydicom python3-numpy)
stored = ds.pixel_array (all frames and samples; YBR JPEG data stays YCbCr in pydicom 2.x),
modality = apply_modality_lut(ds.pixel_array, ds), pixels = frame 0, sample 0 at (0,0), (rows/2, cols/2), (rows-1, cols-1).
"""
import json
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut


def figures(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.SamplesPerPixel)
    full = arr
    if frames == 1:
        full = full[None, ...]
    if spp == 1:
        full = full[..., None]
    modality = np.asarray(apply_modality_lut(arr, ds), dtype=np.float64)
    rows, cols = int(ds.Rows), int(ds.Columns)
    has_rescale = "RescaleSlope" in ds and "RescaleIntercept" in ds
    return {
        "rows": rows,
        "columns": cols,
        "frames": frames,
        "samples_per_pixel": spp,
        "bits_allocated": int(ds.BitsAllocated),
        "bits_stored": int(ds.BitsStored),
        "photometric": str(ds.PhotometricInterpretation),
        "transfer_syntax": str(ds.file_meta.TransferSyntaxUID),
        "rescale_slope": float(ds.RescaleSlope) if has_rescale else 1.0,
        "rescale_intercept": float(ds.RescaleIntercept) if has_rescale else 0.0,
        "modality": str(ds.get("Modality", "")),
        "stored": {"min": int(arr.min()), "max": int(arr.max()), "mean": float(arr.astype(np.float64).mean())},
        "modality_values": {"min": float(modality.min()), "max": float(modality.max()), "mean": float(modality.mean())},
        "pixels": [[r, c, int(full[0, r, c, 0])] for r, c in ((0, 0), (rows // 2, cols // 2), (rows - 1, cols - 1))],
    }


if __name__ == "__main__":
    json.dump({p: figures(p) for p in sys.argv[1:]}, sys.stdout, indent=1)
    print()
