#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus).

Run with Debian's python3 (it needs python3-gi and GdkPixbuf) and
jpegtran from libjpeg-turbo-progs; the files it writes are kept in the
repository, so the tests need neither. The changes-feed seeds are not made
here: they are answers pouchdb-server gave to a real sync.
"""

import os
import struct
import subprocess
import sys
import zlib

import gi

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
PHOTO = "/usr/share/backgrounds/mate/nature/LadyBird.jpg"


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def pixbuf_bytes(pixbuf, kind, **options):
    ok, data = pixbuf.save_to_bufferv(kind, list(options.keys()), [str(v) for v in options.values()])
    assert ok
    return bytes(data)


def exif_segment(orientation, little_endian):
    """An APP1 Exif segment with one IFD entry: Orientation."""
    if little_endian:
        tiff = b"II" + struct.pack("<HI", 42, 8) + struct.pack("<H", 1)
        tiff += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    else:
        tiff = b"MM" + struct.pack(">HI", 42, 8) + struct.pack(">H", 1)
        tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif(jpeg, segment):
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def palette_png(width, height):
    """A palette PNG (GdkPixbuf writes only RGB and RGBA)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    palette = bytes([255, 0, 0, 0, 0, 255, 255, 255, 255])
    rows = b"".join(b"\0" + bytes((x * 3 // width) for x in range(width)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"PLTE", palette)
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def one_pixel_gif():
    # Two colours, one frame of one pixel: clear, index 0, end in 3-bit codes.
    return (b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + bytes([255, 0, 0, 0, 0, 0])
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00" + b"\x3b")


def images():
    photo = GdkPixbuf.Pixbuf.new_from_file(PHOTO)
    small = photo.scale_simple(48, 32, GdkPixbuf.InterpType.BILINEAR)
    tall = photo.scale_simple(12, 40, GdkPixbuf.InterpType.BILINEAR)
    jpeg = pixbuf_bytes(small, "jpeg", quality=75)
    write("image", "photo.jpg", jpeg)
    write("image", "photo-low-quality.jpg", pixbuf_bytes(small, "jpeg", quality=10))
    write("image", "photo-exif-rotated-be.jpg", with_exif(jpeg, exif_segment(6, False)))
    write("image", "photo-exif-mirrored-le.jpg", with_exif(jpeg, exif_segment(5, True)))
    progressive = subprocess.run(["jpegtran", "-progressive"], input=jpeg, capture_output=True, check=True).stdout
    write("image", "photo-progressive.jpg", progressive)
    grey = subprocess.run(["jpegtran", "-grayscale"], input=jpeg, capture_output=True, check=True).stdout
    write("image", "photo-grey.jpg", grey)
    write("image", "photo.png", pixbuf_bytes(small, "png"))
    write("image", "photo-alpha.png", pixbuf_bytes(small.add_alpha(True, 255, 255, 255), "png"))
    write("image", "palette.png", palette_png(9, 5))
    write("image", "photo.bmp", pixbuf_bytes(tall, "bmp"))
    write("image", "photo.tiff", pixbuf_bytes(tall, "tiff"))
    write("image", "photo.webp", pixbuf_bytes(small, "webp", quality=50))
    write("image", "one-pixel.gif", one_pixel_gif())
    with open(os.path.join(HERE, "..", "fixtures", "animated.gif"), "rb") as f:
        write("image", "animated.gif", f.read())
    # Bars above and below: the letterbox and the crops between them.
    boxed = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, 48, 48)
    boxed.fill(0x000000FF)
    small.scale(boxed, 0, 8, 48, 32, 0, 8, 1, 1, GdkPixbuf.InterpType.NEAREST)
    write("image", "letterboxed.jpg", pixbuf_bytes(boxed, "jpeg", quality=90))


def csvs():
    write("csv", "products.csv", (
        "S. No.,Product Name,Input Image Urls\r\n"
        "1,Red chair,\"https://example.com/a.jpg,https://example.com/b.png\"\r\n"
        "2,\"Lamp, brass\",images/lamp.jpg\r\n"
        "3,Empty,\r\n").encode())
    write("csv", "ads.csv", (
        "email,image,title,description,category\n"
        "ana@example.com,https://example.com/x.jpg,Bike,\"Two wheels,\n\"\"like new\"\"\",Sport\n"
        "not-an-email,x.webp,Bad,,\n"
        "\n"
        "ben@example.org,/tmp/y.gif,Café,Crème brûlée,Food\n").encode())
    write("csv", "ads-bom-crlf.csv", b"\xef\xbb\xbfEmail Address,Image URL,Title\r\nme@example.com,a.jpg,X\r\n")
    write("csv", "products-windows-1252.csv",
          "S. No.,Product Name,Input Image Urls\r\n1,Crème brûlée,a.jpg\r\n".encode("cp1252"))
    write("csv", "ads-utf16.csv", b"\xff\xfe" + "email,image,title\r\nå@example.com,b.jpg,Ärger\r\n".encode("utf-16-le"))
    write("csv", "ads-utf16be-no-bom.csv", "email,image\nx@example.com,c.png\n".encode("utf-16-be"))
    write("csv", "unclosed-quote.csv", b"email,image\nx@example.com,\"a.jpg\n")
    write("csv", "nul-byte.csv", b"email,image,title\nx@example.com,a.jpg,ab\0cd\n")
    write("csv", "wrong-header.csv", b"name,url\nx,y\n")


def listings():
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    write("s3-listing", "page.xml", head + (
        b"<Name>ads</Name><Prefix>ads/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
        b"<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
        b"</NextContinuationToken><Contents><Key>ads/1/1-thumb.jpg</Key><LastModified>2026-12-01T10:00:00.000Z"
        b"</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size>"
        b"<StorageClass>STANDARD</StorageClass></Contents><Contents><Key>ads/2/caf\xc3\xa9 &amp; cr\xc3\xa8me.jpg"
        b"</Key><Size>7</Size></Contents></ListBucketResult>"))
    write("s3-listing", "last-page.xml", head + b"<IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>")
    write("s3-listing", "error.xml", b'<?xml version="1.0"?>\n<Error><Code>NoSuchBucket</Code>'
          b"<Message>The specified bucket does not exist</Message></Error>")


def sigv4():
    def fields(n_query, *parts):
        return bytes([n_query]) + b"\0".join(p.encode() for p in parts)

    write("sigv4", "put-object", fields(0, "PUT", "/ads/1/1-square.jpg", "UNSIGNED-PAYLOAD",
                                        "Host", "127.0.0.1:9000", "x-amz-date", "20261201T120000Z",
                                        "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD", "content-type", "image/jpeg"))
    write("sigv4", "list", fields(3, "GET", "/ads", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                  "list-type", "2", "prefix", "ads/1 2/", "continuation-token", "a+b/c=",
                                  "host", "s3.example.com", "x-amz-date", "20261201T120000Z"))
    write("sigv4", "odd-key", fields(0, "PUT", "/ads/caf\u00e9 (1)/~a%20b*.jpg", "UNSIGNED-PAYLOAD",
                                     "host", "h", "x-amz-date", "20261201T120000Z", "x-amz-meta-note", "  two   spaces  "))


def regressions():
    """The hostile images that once crashed or misled the decoder, kept
    beside what the fuzzers find (regressions/, replayed by the tests)."""
    out = os.path.join(HERE, "regressions", "image")
    os.makedirs(out, exist_ok=True)

    def keep(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    photo = GdkPixbuf.Pixbuf.new_from_file(PHOTO).scale_simple(16, 16, GdkPixbuf.InterpType.BILINEAR)
    jpeg = pixbuf_bytes(photo, "jpeg", quality=75)
    # An IFD offset of 0xFFFFFFFE: the bounds check wrapped around in 32 bits.
    body = b"Exif\0\0MM" + struct.pack(">HI", 42, 0xFFFFFFFE)
    keep("exif-offset-wraps.jpg", with_exif(jpeg, b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body))
    # 0xFFFFFFFF by 0xFFFFFFFF: width * height overflowed the pixel limit's check.
    header = struct.pack(">IIBBBBB", 0xFFFFFFFF, 0xFFFFFFFF, 8, 2, 0, 0, 0)
    keep("png-huge-size.png", b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
         + png_chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + png_chunk(b"IEND", b""))
    # A height of INT32_MIN (top-down rows): its absolute value overflowed.
    info = struct.pack("<IiiHHIIiiII", 40, 4, -2**31, 1, 24, 0, 0, 2835, 2835, 0, 0)
    keep("bmp-height-int-min.bmp", b"BM" + struct.pack("<IHHI", 14 + 40 + 48, 0, 0, 54) + info + bytes(48))


def main():
    regressions()
    images()
    csvs()
    listings()
    sigv4()
    return 0


if __name__ == "__main__":
    sys.exit(main())
