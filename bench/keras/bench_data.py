"""Dataset loading for bench/keras/train_reference.py (NumPy + Pillow only, no TensorFlow).

Every loader returns (images, masks) as float32 arrays: images N x S x S x C in [0, 1], masks
N x S x S x 1 in {0, 1}, in the order of the ids given. Errors name the file and what is wrong.
"""

import glob
import os
import re

import numpy as np
from PIL import Image

IMAGE_EXTS = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".gif")


class DataError(Exception):
    pass


def _open(path, load=True):
    try:
        im = Image.open(path)
        if load:
            im.load()
        return im
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except Exception as e:  # noqa: BLE001
        raise DataError(f"{path}: cannot decode image ({e})") from None


def _resize(arr_or_img, size, resample):
    im = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    if im.size == (size, size):
        return im
    return im.resize((size, size), resample)


def _mask_from_binary(binary, size, mask_resize):
    """binary: H x W bool at original size -> S x S x 1 float32 in {0, 1}."""
    if mask_resize == "nearest":
        m = np.asarray(_resize(Image.fromarray(binary.astype(np.uint8) * 255), size, Image.NEAREST))
        out = (m > 127).astype(np.float32)
    else:  # "threshold": bilinear on {0, 1} floats, then > 0.5
        m = np.asarray(_resize(Image.fromarray(binary.astype(np.float32), mode="F"), size, Image.BILINEAR))
        out = (m > 0.5).astype(np.float32)
    return out[..., None]


# --- DSB2018: <root>/<id>/images/<id>.png + <root>/<id>/masks/*.png --------------------------------
def dsb2018_root(data):
    if os.path.isdir(os.path.join(data, "stage1_train")) and not glob.glob(os.path.join(data, "*", "images")):
        return os.path.join(data, "stage1_train")
    return data


def dsb2018_ids(data):
    root = dsb2018_root(data)
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d, "images")))


def load_dsb2018(data, ids, size, mask_resize="nearest"):
    root = dsb2018_root(data)
    xs = np.zeros((len(ids), size, size, 3), np.float32)
    ys = np.zeros((len(ids), size, size, 1), np.float32)
    for n, id_ in enumerate(ids):
        d = os.path.join(root, id_)
        img_path = os.path.join(d, "images", f"{id_}.png")
        if not os.path.exists(img_path):
            found = sorted(glob.glob(os.path.join(d, "images", "*.png")))
            if not found:
                raise DataError(f"{os.path.join(d, 'images')}: no image for sample id {id_!r}")
            img_path = found[0]
        im = _open(img_path)
        w, h = im.size
        # RGBA -> RGB drops alpha (the article: img[:, :, :3]); grayscale is replicated.
        xs[n] = np.asarray(_resize(im.convert("RGB"), size, Image.BILINEAR), np.float32) / 255.0
        mask_files = sorted(glob.glob(os.path.join(d, "masks", "*.png")))
        if not mask_files:
            raise DataError(f"{os.path.join(d, 'masks')}: no mask PNGs for sample id {id_!r}")
        union = np.zeros((h, w), bool)
        for mf in mask_files:
            m = np.asarray(_open(mf).convert("L"))
            if m.shape != (h, w):
                raise DataError(f"{mf}: mask is {m.shape[1]}x{m.shape[0]}, image {img_path} is {w}x{h}")
            union |= m > 127
        ys[n] = _mask_from_binary(union, size, mask_resize)
    return xs, ys


# --- folder: <root>/{image,images}/<id>.<ext> + <root>/{label,labels,mask,masks}/<id>.<ext> ---------
IMAGE_DIRS = ("image", "images", "img", "imgs")
LABEL_DIRS = ("label", "labels", "mask", "masks")


def _find_dir(root, names, what):
    for n in names:
        p = os.path.join(root, n)
        if os.path.isdir(p):
            return p
    raise DataError(f"{root}: no {what} folder (looked for {', '.join(names)})")


def _find_file(folder, id_):
    for ext in IMAGE_EXTS:
        for e in (ext, ext.upper()):
            p = os.path.join(folder, id_ + e)
            if os.path.exists(p):
                return p
    raise DataError(f"{folder}: no image file for id {id_!r} (tried {', '.join(IMAGE_EXTS)})")


def folder_ids(data):
    d = _find_dir(data, IMAGE_DIRS, "image")
    ids = [os.path.splitext(f)[0] for f in os.listdir(d) if f.lower().endswith(IMAGE_EXTS)]
    return sorted(ids, key=lambda s: (len(s), s) if s.isdigit() else (1 << 30, s))


def load_folder(data, ids, size, channels=3, mask_resize="nearest"):
    img_dir = _find_dir(data, IMAGE_DIRS, "image")
    lab_dir = _find_dir(data, LABEL_DIRS, "label/mask")
    xs = np.zeros((len(ids), size, size, channels), np.float32)
    ys = np.zeros((len(ids), size, size, 1), np.float32)
    for n, id_ in enumerate(ids):
        ip, lp = _find_file(img_dir, id_), _find_file(lab_dir, id_)
        im, lab = _open(ip), _open(lp)
        if im.size != lab.size:
            raise DataError(f"{lp}: label is {lab.size[0]}x{lab.size[1]}, image {ip} is {im.size[0]}x{im.size[1]}")
        g = np.asarray(_resize(im.convert("L"), size, Image.BILINEAR), np.float32) / 255.0
        xs[n] = np.repeat(g[..., None], channels, axis=-1)
        ys[n] = _mask_from_binary(np.asarray(lab.convert("L")) > 127, size, mask_resize)
    return xs, ys


# --- satellite: 128x128 tiles "x{col}_y{row}" of one 16-bit GeoTIFF + footprint mask ----------------
# "x3_y1", or "<scene>_x3_y1" as the TypeScript tiler names tiles.
TILE_ID = re.compile(r"(?:^|_)x(\d+)_y(\d+)$")


def read_tiff_band(path):
    """First band of an uncompressed strip TIFF as a 2-D array (Pillow cannot decode the 16-bit
    planar-configuration-2 SpaceNet sample); falls back to Pillow for anything else."""
    im = _open(path, load=False)
    try:
        return np.asarray(im)
    except Exception:  # noqa: BLE001
        pass  # e.g. "unknown raw mode" for I;16 with PlanarConfiguration 2
    tags = im.tag_v2
    if tags.get(259, 1) != 1:
        raise DataError(f"{path}: compressed TIFF (compression {tags.get(259)}) is not supported")
    w, h = int(tags[256]), int(tags[257])
    bits = tags.get(258, (8,))
    bits = int(bits[0] if isinstance(bits, tuple) else bits)
    fmt = tags.get(339, (1,))
    fmt = int(fmt[0] if isinstance(fmt, tuple) else fmt)
    kind = {1: "u", 2: "i", 3: "f"}[fmt]
    order = "<" if open(path, "rb").read(2) == b"II" else ">"
    dtype = np.dtype(f"{order}{kind}{bits // 8}")
    offsets, counts = tags[273], tags[279]
    need = w * h * dtype.itemsize
    buf = bytearray()
    with open(path, "rb") as f:
        for off, cnt in zip(offsets, counts):
            f.seek(off)
            buf += f.read(cnt)
            if len(buf) >= need:
                break
    if len(buf) < need:
        raise DataError(f"{path}: truncated pixel data ({len(buf)} of {need} bytes)")
    return np.frombuffer(bytes(buf[:need]), dtype).reshape(h, w)


def satellite_grid(shape, tile):
    h, w = shape
    return h // tile, w // tile


def satellite_ids(data, image_file, tile):
    band = read_tiff_band(os.path.join(data, image_file))
    rows, cols = satellite_grid(band.shape, tile)
    return [f"x{c}_y{r}" for r in range(rows) for c in range(cols)]


def rasterize_geojson(path, shape):
    """Building polygons in pixel coordinates -> binary mask (pixel centres inside, holes cut)."""
    import json
    from skimage.draw import polygon as fill

    mask = np.zeros(shape, bool)
    features = json.load(open(path))["features"]
    for feature in features:
        geom = feature["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for rings in polys:
            for k, ring in enumerate(rings):
                a = np.asarray(ring, np.float64)
                # skimage samples at integer coordinates; pixel centres are at +0.5.
                rr, cc = fill(a[:, 1] - 0.5, a[:, 0] - 0.5, shape)
                mask[rr, cc] = k == 0
    return mask


def load_satellite(data, ids, size, tile=128, units="index", image_file="sample_geotiff.tif",
                   mask_file="sample_fp_mask.tif", lo_pct=2.0, hi_pct=98.0, polygons=None):
    ip, mp = os.path.join(data, image_file), os.path.join(data, mask_file)
    band = read_tiff_band(ip).astype(np.float32)
    if polygons:
        mp = os.path.join(data, polygons)
        mask = rasterize_geojson(mp, band.shape[:2]).astype(np.uint8) * 255
    else:
        mask = read_tiff_band(mp)
    if mask.ndim == 3:
        mask = mask[..., 0]
    if band.ndim == 3:
        band = band[..., 0]
    if mask.shape != band.shape:
        raise DataError(f"{mp}: mask is {mask.shape[1]}x{mask.shape[0]}, image {ip} is {band.shape[1]}x{band.shape[0]}")
    lo, hi = np.percentile(band, [lo_pct, hi_pct])
    if hi <= lo:
        raise DataError(f"{ip}: flat image (percentiles {lo_pct}/{hi_pct} both {lo})")
    norm = np.clip((band - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)
    binary = mask > 0
    H, W = band.shape
    xs = np.zeros((len(ids), size, size, 3), np.float32)
    ys = np.zeros((len(ids), size, size, 1), np.float32)
    for n, id_ in enumerate(ids):
        m = TILE_ID.search(id_)
        if not m:
            raise DataError(f"split: tile id {id_!r} is not of the form x{{col}}_y{{row}}")
        c, r = int(m.group(1)), int(m.group(2))
        x0, y0 = (c * tile, r * tile) if units == "index" else (c, r)
        if x0 + tile > W or y0 + tile > H:
            raise DataError(f"{ip}: tile {id_!r} ({x0},{y0})+{tile} lies outside the {W}x{H} image")
        crop = norm[y0:y0 + tile, x0:x0 + tile]
        if size != tile:
            crop = np.asarray(Image.fromarray(crop, mode="F").resize((size, size), Image.BILINEAR))
        xs[n] = np.repeat(crop[..., None], 3, axis=-1)
        ys[n] = _mask_from_binary(binary[y0:y0 + tile, x0:x0 + tile], size, "nearest")
    return xs, ys, {"p_lo": float(lo), "p_hi": float(hi)}
