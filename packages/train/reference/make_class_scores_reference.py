"""Reference class scores on real CamVid annotations, computed with numpy + PIL.

The "prediction" of each of the 20 validation annotations (../shared/data/camvid/valannot) is
the annotation itself shifted right by SHIFT pixels (np.roll, wrapping), with void (11) predicted
as PREDICT_VOID_AS. The confusion matrix skips void truth pixels; IoU_c = TP / (TP + FP + FN);
mean IoU averages the classes present in truth or prediction (the CamVid/SegNet convention).
src/class-scores-camvid.test.ts checks ConfusionMatrix against class-scores-camvid.json.

Run from the repository root:

    py=$(bash scripts/keras-venv.sh)   # numpy + Pillow
    $py packages/train/reference/make_class_scores_reference.py
"""

import json
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
CAMVID = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "camvid"))
K, VOID, SHIFT, PREDICT_VOID_AS = 11, 11, 7, 3


def main():
    folder = os.path.join(CAMVID, "valannot")
    names = sorted(os.listdir(folder))
    counts = np.zeros(K * K, dtype=np.int64)
    for name in names:
        truth = np.asarray(Image.open(os.path.join(folder, name))).astype(np.int64)
        prediction = np.roll(truth, SHIFT, axis=1)
        prediction[prediction == VOID] = PREDICT_VOID_AS
        keep = truth != VOID
        counts += np.bincount(truth[keep] * K + prediction[keep], minlength=K * K)
    matrix = counts.reshape(K, K)
    tp = np.diag(matrix).astype(np.float64)
    union = matrix.sum(0) + matrix.sum(1) - tp
    present = union > 0
    iou = np.where(present, tp / np.maximum(union, 1), np.nan)
    document = {
        "description": "CamVid val annotations vs themselves rolled right by `shift` pixels",
        "files": [os.path.splitext(n)[0] for n in names],
        "shift": SHIFT,
        "voidPredictedAs": PREDICT_VOID_AS,
        "matrix": matrix.tolist(),
        "iou": [None if np.isnan(v) else float(v) for v in iou],
        "meanIoU": float(np.nanmean(iou)),
        "pixelAccuracy": float(tp.sum() / matrix.sum()),
    }
    out = os.path.join(HERE, "class-scores-camvid.json")
    with open(out, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
