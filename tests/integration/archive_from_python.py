"""Reads a structlab run archive with h5py, as README.md shows, and prints what it found as JSON.

The integration test python_archive_test.cpp compares this with structlab's own reader, so that an archive
stays readable from Python without structlab. Usage: archive_from_python.py RUN.h5
"""
import json
import math
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def number(value):
    """A float, or None for NaN (a regression run has no accuracy), which JSON cannot hold."""
    value = float(value)
    return None if math.isnan(value) else value


def layer_summary(layer):
    weight = layer["weight"][:]
    packed = layer["mask"]
    shape = [int(n) for n in packed.attrs["shape"]]
    mask = np.unpackbits(packed[()], axis=-1, count=shape[-1]).astype(bool)
    return {
        "shape": list(weight.shape),
        "mask_shape": list(mask.shape),
        "active": int(mask.sum()),
        "weight_sum": float(weight.astype(np.float64).sum()),
        "masked_out_abs_sum": float(np.abs(weight[~mask]).astype(np.float64).sum()),
    }


def main(path):
    with h5py.File(path, "r") as f:
        found = {
            "run_id": text(f.attrs["run_id"]),
            "status": text(f.attrs["status"]),
            "seed": int(f.attrs["seed"]),
            "spec": f["spec"][()].decode(),
            "edges": list(f["structure/edges"].shape),
            "stages": {},
        }
        for name, stage in f["stages"].items():
            found["stages"][name] = {
                "description": text(stage.attrs["description"]),
                "test_accuracy": number(stage.attrs["test_accuracy"]),
                "layers": {layer_name: layer_summary(layer) for layer_name, layer in stage["layers"].items()},
            }
        history = f["history"][:]
        found["history_epochs"] = [int(epoch) for epoch in history["epoch"]]
        found["history_test_loss"] = [number(loss) for loss in history["test_loss"]]
    json.dump(found, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main(sys.argv[1])
