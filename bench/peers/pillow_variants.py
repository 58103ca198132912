#!/usr/bin/python3
"""The same outputs as Vetter's default job, made with Pillow at its best:
one decode per image, one process per core, antialiased resizes.

usage: pillow_variants.py OUTPUT_DIR IMAGE...
"""
import multiprocessing
import os
import sys
from math import gcd

from PIL import Image, ImageOps

CROPS = (("square", 1080, 1080), ("portrait", 1080, 1920), ("landscape", 1920, 1080))


def centre_crop_box(width, height, rw, rh):
    """The largest exact-ratio box, centred: what the peers do without saliency."""
    g = gcd(rw, rh)
    p, q = rw // g, rh // g
    k = min(width // p, height // q)
    cw, ch = k * p, k * q
    x, y = (width - cw) // 2, (height - ch) // 2
    return (x, y, x + cw, y + ch), cw, ch


def process(job):
    index, path, out_dir = job
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    base = os.path.join(out_dir, "%05d" % index)
    image.save(base + "-compressed.jpg", quality=50)
    for kind, rw, rh in CROPS:
        box, cw, ch = centre_crop_box(image.width, image.height, rw, rh)
        size = (rw, rh) if cw >= rw else (cw, ch)
        image.resize(size, Image.Resampling.BILINEAR, box=box, reducing_gap=3.0).save(
            base + "-" + kind + ".jpg", quality=85)
    thumb = image.copy()
    thumb.thumbnail((320, 320), Image.Resampling.BILINEAR, reducing_gap=3.0)
    thumb.save(base + "-thumb.jpg", quality=80)
    return index


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    jobs = [(i, p, out_dir) for i, p in enumerate(sys.argv[2:])]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        for _ in pool.imap_unordered(process, jobs):
            pass


if __name__ == "__main__":
    main()
