"""Independent reference numbers for the @unet/data tests, computed with PIL + numpy.

Run from the repository root (uses the samples in ../shared/data):

    py=$(bash scripts/keras-venv.sh)   # numpy + Pillow
    $py -m pip install scikit-image tifffile
    $py packages/data/reference/make_reference.py

Writes packages/data/reference/{dsb2018,isbi2012,spacenet,camvid}.json (name some of them as
arguments to write only those). The tests compare what the
TypeScript readers decode against these numbers (at original size, where no resampling is
involved, so the comparison is exact).
"""

import json
import os
import sys

import numpy as np
import tifffile
from PIL import Image
from skimage.draw import polygon as polygon_pixels

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))


def dsb2018():
    root = os.path.join(DATA, "dsb2018", "stage1_train")
    samples = {}
    for sample_id in sorted(os.listdir(root)):
        folder = os.path.join(root, sample_id)
        if not os.path.isdir(folder):
            continue
        image = np.asarray(Image.open(os.path.join(folder, "images", sample_id + ".png")))
        rgb = image[:, :, :3].astype(np.float64) / 255.0
        mask_dir = os.path.join(folder, "masks")
        names = sorted(n for n in os.listdir(mask_dir) if n.endswith(".png"))
        union = np.zeros(image.shape[:2], dtype=bool)
        instance_pixels = 0
        overlap = 0
        for name in names:
            m = np.asarray(Image.open(os.path.join(mask_dir, name))) > 0
            overlap += int(np.logical_and(union, m).sum())
            union |= m
            instance_pixels += int(m.sum())
        samples[sample_id] = {
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "imageMode": Image.open(os.path.join(folder, "images", sample_id + ".png")).mode,
            "masks": len(names),
            "unionPixels": int(union.sum()),
            "instancePixels": instance_pixels,
            "overlapPixels": overlap,
            "rgbMean": [float(rgb[:, :, c].mean()) for c in range(3)],
        }
    return {
        "source": "../shared/data/dsb2018/stage1_train",
        "images": len(samples),
        "masks": sum(s["masks"] for s in samples.values()),
        "samples": samples,
    }


def isbi2012():
    root = os.path.join(DATA, "isbi2012", "train")
    samples = {}
    names = sorted(os.listdir(os.path.join(root, "image")), key=lambda n: int(os.path.splitext(n)[0]))
    for name in names:
        image = np.asarray(Image.open(os.path.join(root, "image", name))).astype(np.float64) / 255.0
        label = np.asarray(Image.open(os.path.join(root, "label", name)))
        samples[os.path.splitext(name)[0]] = {
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "labelValues": sorted(int(v) for v in np.unique(label)),
            "foregroundPixels": int((label > 0).sum()),
            "imageMean": float(image.mean()),
        }
    test = sorted(os.listdir(os.path.join(DATA, "isbi2012", "test")))
    return {"source": "../shared/data/isbi2012", "train": samples, "testImages": len(test)}


def rasterize(polygons, height, width):
    """Independent rasterization with scikit-image: a pixel is set when its centre is inside.

    Coordinates are pixel coordinates with (0, 0) at the top-left corner of the top-left pixel
    (GDAL/rasterio convention), so pixel (row, col) has its centre at (col + 0.5, row + 0.5);
    skimage tests integer centres, hence the -0.5 shift. Rings of one polygon combine with XOR
    (holes), polygons with OR.
    """
    mask = np.zeros((height, width), dtype=bool)
    for rings in polygons:
        inside = np.zeros((height, width), dtype=bool)
        for ring in rings:
            ring = np.asarray(ring, dtype=np.float64)
            rr, cc = polygon_pixels(ring[:, 1] - 0.5, ring[:, 0] - 0.5, shape=(height, width))
            layer = np.zeros((height, width), dtype=bool)
            layer[rr, cc] = True
            inside ^= layer
        mask |= inside
    return mask


def run_lengths(mask):
    """Row-major run lengths, starting with a (possibly empty) run of zeros."""
    flat = mask.ravel().astype(np.int8)
    changes = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]]))) if flat.size else []
    edges = np.concatenate([[0], changes, [flat.size]]) if len(changes) else np.array([0, flat.size])
    runs = np.diff(np.unique(edges)).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    return [int(r) for r in runs]


def geojson_polygons(features, to_pixels=lambda x, y: (x, y)):
    out = []
    for feature in features:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for part in parts:
            out.append([[to_pixels(p[0], p[1]) for p in ring] for ring in part])
    return out


def iou(a, b):
    return float(np.logical_and(a, b).sum() / np.logical_or(a, b).sum())


def spacenet():
    root = os.path.join(DATA, "spacenet-atlanta")
    fp_mask = np.asarray(Image.open(os.path.join(root, "sample_fp_mask.tif"))) > 0
    with tifffile.TiffFile(os.path.join(root, "sample_geotiff.tif")) as tif:
        page = tif.pages[0]
        tile = page.asarray()
        tiepoint = page.tags["ModelTiepointTag"].value
        scale = page.tags["ModelPixelScaleTag"].value
    height, width = tile.shape
    valid = tile[tile != 0].astype(np.float64)

    with open(os.path.join(root, "gj_to_px_result.geojson")) as f:
        px_features = json.load(f)["features"]
    px_mask = rasterize(geojson_polygons(px_features), height, width)

    with open(os.path.join(root, "geotiff_labels.geojson")) as f:
        map_features = json.load(f)["features"]
    x0, y0, sx, sy = tiepoint[3], tiepoint[4], scale[0], scale[1]
    map_mask = rasterize(
        geojson_polygons(map_features, lambda x, y: ((x - x0) / sx, (y0 - y) / sy)), height, width
    )

    with open(os.path.join(root, "coco_sample_2.json")) as f:
        coco = json.load(f)
    coco_polygons = []
    for annotation in coco["annotations"]:
        segmentation = annotation["segmentation"]
        parts = [segmentation] if segmentation and not isinstance(segmentation[0], list) else segmentation
        for part in parts:
            coco_polygons.append([[(part[i], part[i + 1]) for i in range(0, len(part), 2)]])
    coco_mask = rasterize(coco_polygons, height, width)

    return {
        "source": "../shared/data/spacenet-atlanta",
        "tile": {
            "dtype": str(tile.dtype),
            "width": int(width),
            "height": int(height),
            "nodataPixels": int((tile == 0).sum()),
            "percentile2": float(np.percentile(valid, 2)),
            "percentile98": float(np.percentile(valid, 98)),
        },
        "polygons": len(px_features),
        "pixelGeojsonMask": {
            "note": "gj_to_px_result.geojson rasterized by scikit-image at pixel centres",
            "foregroundPixels": int(px_mask.sum()),
            "runLengths": run_lengths(px_mask),
        },
        "mapGeojsonIoU": iou(map_mask, px_mask),
        "cocoIoU": iou(coco_mask, px_mask),
        "sampleFpMask": {
            "note": (
                "sample_fp_mask.tif is solaris' footprint_mask of sample.csv (PolygonWKT_Pix), "
                "a different label set that is not in ../shared/data; its IoU with the 43 "
                "polygons of gj_to_px_result.geojson is recorded to document that"
            ),
            "foregroundPixels": int(fp_mask.sum()),
            "iouWithPixelGeojson": iou(fp_mask, px_mask),
        },
    }


def camvid():
    """Per-file class pixel counts (values 0..11, 11 = void) and SegNet median-frequency weights."""
    root = os.path.join(DATA, "camvid")
    out = {}
    for subset in ("train", "val"):
        folder = os.path.join(root, subset + "annot")
        counts = {}
        for name in sorted(os.listdir(folder)):
            labels = np.asarray(Image.open(os.path.join(folder, name)))
            assert labels.ndim == 2, name
            counts[os.path.splitext(name)[0]] = np.bincount(labels.ravel(), minlength=12).tolist()
        out[subset] = counts
    # freq_c = pixels of c / labelled (non-void) pixels of the images containing c;
    # weight_c = median(freq) / freq_c (Eigen & Fergus 2015, SegNet's class balancing).
    per_image = np.array(list(out["train"].values()), dtype=np.float64)[:, :11]
    labelled = per_image.sum(axis=1, keepdims=True)
    present = per_image > 0
    freq = per_image.sum(axis=0) / (present * labelled).sum(axis=0)
    out["trainMedianFrequencyWeights"] = (np.median(freq) / freq).tolist()
    return out


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"sample data not found at {DATA}")
    builders = (("dsb2018", dsb2018), ("isbi2012", isbi2012), ("spacenet", spacenet), ("camvid", camvid))
    for name, build in builders:
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        out = os.path.join(HERE, name + ".json")
        with open(out, "w") as f:
            json.dump(build(), f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote", out)


if __name__ == "__main__":
    main()
