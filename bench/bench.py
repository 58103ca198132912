#!/usr/bin/python3
"""Runs Vetter and its peers side by side on the same photographs and
writes REPORT.md.

Each tool makes the same outputs from every input (the compressed original
at quality 50; 1:1, 9:16 and 16:9 crops at 1080 on the short side, never
enlarged; a 320-pixel thumbnail) with one worker per core. Runs of the
tools are interleaved and repeated, and the median is reported, so that
noise from the machine falls on all of them alike.

usage: bench.py WORK_DIR VETTER PEERS_DIR [--runs N]
"""
import argparse
import datetime
import glob
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time

import numpy
from PIL import Image

SETS = {
    "lomiri": "photos of lomiri-wallpapers-16.04 (4–20 MP, mostly progressive)",
    "baseline": "the same, made baseline with jpegtran (lossless)",
    "mate": "mate-backgrounds nature photos (2–5 MP)",
    "png": "the lomiri photos made PNG with Pillow (lossless, 4–20 MP)",
}
CYCLE = 36


def prepare_sets(work):
    """Each set cycled to CYCLE images, as copies of the packaged files:
    Vetter takes a file once however many links name it, so links would
    have it process fewer images than the peers."""
    sources = {
        "lomiri": sorted(glob.glob("/usr/share/backgrounds/*.jpg")),
        "mate": sorted(glob.glob("/usr/share/backgrounds/mate/nature/*.jpg")),
    }
    baseline_dir = os.path.join(work, "baseline-files")
    os.makedirs(baseline_dir, exist_ok=True)
    sources["baseline"] = []
    for path in sources["lomiri"]:
        out = os.path.join(baseline_dir, os.path.basename(path))
        if not os.path.exists(out):
            subprocess.run(["jpegtran", "-copy", "all", "-optimize", "-outfile", out, path], check=True)
        sources["baseline"].append(out)
    png_dir = os.path.join(work, "png-files")
    os.makedirs(png_dir, exist_ok=True)
    sources["png"] = []
    for path in sources["lomiri"]:
        out = os.path.join(png_dir, os.path.splitext(os.path.basename(path))[0] + ".png")
        if not os.path.exists(out):
            with Image.open(path) as image:
                image.convert("RGB").save(out)
        sources["png"].append(out)
    sets = {}
    for name, files in sources.items():
        if not files:
            sys.exit("no photos for the %s set: install lomiri-wallpapers-16.04 and mate-backgrounds" % name)
        folder = os.path.join(work, "sets", name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for i in range(CYCLE):
            src = files[i % len(files)]
            shutil.copyfile(src, os.path.join(folder, "%02d-%s" % (i, os.path.basename(src))))
        sets[name] = folder
    return sets


def remove_db(path):
    """A fresh database for each run: SQLite's file and its WAL companions."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def tree_rss(pid):
    """Resident memory of a process and all its descendants, in bytes, and
    that of the largest of them."""
    total = 0
    largest = 0
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open("/proc/%d/statm" % p) as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            total += rss
            largest = max(largest, rss)
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total, largest


def run(command):
    """Wall seconds, CPU seconds, peak memory of the whole process tree and
    of its largest process."""
    peak = [0, 0]
    start = time.monotonic()
    before = os.times()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample():
        while not done.is_set():
            total, largest = tree_rss(process.pid)
            peak[0] = max(peak[0], total)
            peak[1] = max(peak[1], largest)
            done.wait(0.03)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    wall = time.monotonic() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if process.returncode != 0:
        sys.exit("%s failed (%d):\n%s" % (command[0], process.returncode, stderr.decode()[-2000:]))
    return wall, cpu, peak[0], peak[1]


def tools(vetter, peers, out, db):
    return {
        "Vetter": [vetter, "batch", "--db", db, "-o", out],
        "Pillow": ["/usr/bin/python3", os.path.join(peers, "pillow_variants.py"), out],
        "libvips": [os.path.join(peers, "vips-variants"), out],
        "floor": [os.path.join(peers, "floor-variants"), out],
    }


def psnr(a, b):
    a = numpy.asarray(a, dtype=numpy.float64)
    b = numpy.asarray(b, dtype=numpy.float64)
    mse = numpy.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10 * math.log10(255 * 255 / mse)


def reference_thumb(path):
    """The highest-quality thumbnail: full decode, Lanczos in one step."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        w, h = image.size
        size = (320, h * 320 // w) if w >= h else (w * 320 // h, 320)
        return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=None)


def find_outputs(out, kind):
    """Each tool's outputs of one kind, in input order."""
    found = sorted(glob.glob(os.path.join(out, "*-%s.jpg" % kind)))
    if not found:  # Vetter: DIR/<item>/<position>-<kind>.jpg
        found = sorted(glob.glob(os.path.join(out, "*", "1-%s.jpg" % kind)),
                       key=lambda p: int(os.path.basename(os.path.dirname(p))))
    return found


def quality(out, inputs):
    """Mean PSNR of the thumbnails against the reference, and of the
    compressed originals against their source."""
    thumbs = find_outputs(out, "thumb")
    compressed = find_outputs(out, "compressed")
    t = [psnr(Image.open(p).convert("RGB").resize(r.size), r) for p, r in zip(thumbs, inputs["thumbs"])]
    c = []
    for p, src in list(zip(compressed, inputs["paths"]))[:6]:
        with Image.open(src) as s, Image.open(p) as o:
            c.append(psnr(o.convert("RGB"), s.convert("RGB")))
    return statistics.mean(t), statistics.mean(c)


def small_images(work, count=8, size=1024):
    """A few real photos shrunk to ad size, for the long and the many runs."""
    folder = os.path.join(work, "small")
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i, src in enumerate(sorted(glob.glob("/usr/share/backgrounds/mate/nature/*.jpg"))[:count]):
        out = os.path.join(folder, "%d.jpg" % i)
        if not os.path.exists(out):
            with Image.open(src) as image:
                image = image.convert("RGB")
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
                image.save(out, quality=90)
        paths.append(out)
    return paths


def write_csv(path, images, rows):
    with open(path, "w") as f:
        f.write("S. No.,Product Name,Input Image Urls\n")
        for i in range(rows):
            f.write("%d,Product %d,%s\n" % (i + 1, i + 1, images[i % len(images)]))


def memory_over_time(work, vetter, rows):
    """Runs a long batch and samples its memory: it must not grow with the batch."""
    csv = os.path.join(work, "long.csv")
    write_csv(csv, small_images(work), rows)
    db = os.path.join(work, "long.db")
    remove_db(db)
    out = os.path.join(work, "out", "long")
    shutil.rmtree(out, ignore_errors=True)
    samples = []
    start = time.monotonic()
    process = subprocess.Popen([vetter, "batch", "--db", db, "-o", out, csv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        samples.append((time.monotonic() - start, tree_rss(process.pid)[0]))
        time.sleep(0.25)
    shutil.rmtree(out, ignore_errors=True)
    wall = time.monotonic() - start
    tenth = [m for t, m in samples if t <= wall * 0.2]
    last_half = [m for t, m in samples if t >= wall * 0.5]
    return {"rows": rows, "seconds": wall,
            "first_fifth_mb": max(tenth) / 1e6 if tenth else 0,
            "last_half_mb": max(last_half) / 1e6 if last_half else 0,
            "peak_mb": max(m for _, m in samples) / 1e6 if samples else 0}


def big_progressive(work, vetter):
    """Peak memory of one worker on a 24-megapixel progressive JPEG."""
    path = os.path.join(work, "24mp-progressive.jpg")
    if not os.path.exists(path):
        with Image.open(sorted(glob.glob("/usr/share/backgrounds/*.jpg"))[0]) as image:
            image.convert("RGB").resize((6000, 4000), Image.Resampling.LANCZOS).save(
                path, quality=90, progressive=True)
    folder = os.path.join(work, "big")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    os.symlink(path, os.path.join(folder, "24mp.jpg"))
    db = os.path.join(work, "big.db")
    remove_db(db)
    out = os.path.join(work, "out", "big")
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu, peak, _ = run([vetter, "batch", "-j", "1", "--db", db, "-o", out, folder])
    return {"seconds": wall, "peak_mb": peak / 1e6}


def window_env(work, renderer):
    """The environment of a window program: its own home and database, and
    GTK's renderer, or none to let Vetter pick as it does for a user."""
    home = os.path.join(work, "window-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    env = dict(os.environ, XDG_DATA_HOME=home, VETTER_DB=os.path.join(home, "vetter.db"),
               GSETTINGS_BACKEND="memory", GDK_BACKEND="x11", GTK_A11Y="none", NO_AT_BRIDGE="1")
    env.pop("GSK_RENDERER", None)
    if renderer:
        env["GSK_RENDERER"] = renderer
    return env


def run_window(program, arguments, env):
    import json
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x1000x24", "dbus-run-session", "--", program]
                            + arguments, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def default_renderer():
    """What Vetter picks where GSK_RENDERER is not set: GTK's software
    renderer without a GPU (no DRM render node), GL with one."""
    has_gpu = any(n.startswith("renderD") for n in (os.listdir("/dev/dri") if os.path.isdir("/dev/dri") else []))
    return "GL" if has_gpu else "cairo (no GPU here)"


RENDERERS = (("cairo", "cairo"), (None, "default"))


def responsiveness(work, program, rows):
    """The window's main loop while a batch runs, under Xvfb: with the Queue
    on screen, and with the Review page on screen, its queue growing."""
    csv = os.path.join(work, "window.csv")
    write_csv(csv, small_images(work), rows)
    found = []
    for renderer, name in RENDERERS:
        for page in ("queue", "review"):
            arguments = (["--review"] if page == "review" else []) + [csv]
            result = run_window(program, arguments, window_env(work, renderer))
            result.update(renderer=name, page=page)
            found.append(result)
            print("window:", result, flush=True)
    return found


def review_ads(work, count=100):
    """A CSV of @count ads, each a different part of a real photograph at
    ad size (1600 pixels), so that no two are duplicates."""
    folder = os.path.join(work, "review-ads")
    os.makedirs(folder, exist_ok=True)
    sources = sorted(glob.glob("/usr/share/backgrounds/*.jpg")) + sorted(glob.glob("/usr/share/backgrounds/mate/nature/*.jpg"))
    rows = ["email,image,title"]
    for i in range(count):
        name = os.path.join(folder, "ad-%03d.jpg" % i)
        if not os.path.exists(name):
            k = i // len(sources)
            with Image.open(sources[i % len(sources)]) as image:
                image = image.convert("RGB")
                w, h = image.size
                cw, ch = int(w * (0.9 - 0.1 * (k % 5))), int(h * (0.9 - 0.1 * (k % 5)))
                x, y = (w - cw) * ((k * 37) % 10) // 10, (h - ch) * ((k * 53) % 10) // 10
                image = image.crop((x, y, x + cw, y + ch))
                image.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
                if k % 2:
                    image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                image.save(name, quality=88)
        rows.append("seller%d@example.com,%s,Ad number %d" % (i, name, i))
    csv = os.path.join(work, "review-ads.csv")
    with open(csv, "w") as f:
        f.write("\n".join(rows) + "\n")
    return csv


def review_loop(work, program, count=100):
    """Decisions from real key presses: the time to the next ad on screen,
    and keys at a fixed pace checked against the store."""
    csv = review_ads(work, count)
    found = {"latency": [], "pace": []}
    for renderer, name in RENDERERS:
        result = run_window(program, [csv, "latency", str(count)], window_env(work, renderer))
        result["renderer"] = name
        found["latency"].append(result)
        print("review:", result, flush=True)
    for pace in (100, 250):
        result = run_window(program, [csv, "pace:%d" % pace, str(count)], window_env(work, "cairo"))
        found["pace"].append(result)
        print("review:", result, flush=True)
    return found


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // (1024 * 1024)
    return "%s, %d cores, %d GiB, %s %s" % (cpu, os.cpu_count(), mem, platform.system(), platform.release())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("vetter")
    parser.add_argument("peers")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--responsiveness", help="the responsiveness program, built with Vetter")
    parser.add_argument("--review-keys", help="the review-keys program, built with Vetter")
    parser.add_argument("--long-rows", type=int, default=10000)
    parser.add_argument("--report", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "REPORT.md"))
    args = parser.parse_args()

    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    sets = prepare_sets(args.work)
    results = {}
    qualities = {}
    for set_name, folder in sets.items():
        inputs = sorted(glob.glob(os.path.join(folder, "*.jpg")) + glob.glob(os.path.join(folder, "*.png")))
        refs = {"paths": inputs[:12], "thumbs": [reference_thumb(p) for p in inputs[:12]]}
        for run_index in range(args.runs):
            for tool, command in tools(args.vetter, args.peers, "", "").items():
                out = os.path.join(args.work, "out", tool)
                db = os.path.join(args.work, "vetter.db")
                shutil.rmtree(out, ignore_errors=True)
                remove_db(db)
                command = tools(args.vetter, args.peers, out, db)[tool]
                args_in = [folder] if tool == "Vetter" else inputs
                wall, cpu, peak, single = run(command + args_in)
                results.setdefault((set_name, tool), []).append((wall, cpu, peak, single))
                print("%-8s %-8s run %d: %.2f s, %.0f MB" % (set_name, tool, run_index + 1, wall, peak / 1e6), flush=True)
                if run_index == 0:
                    qualities[(set_name, tool)] = quality(out, {"paths": refs["paths"], "thumbs": refs["thumbs"][:len(inputs)]})
    extras = {
        "memory": memory_over_time(args.work, args.vetter, args.long_rows),
        "big": big_progressive(args.work, args.vetter),
    }
    print("memory:", extras["memory"], "big:", extras["big"], flush=True)
    if args.responsiveness:
        extras["window"] = responsiveness(args.work, args.responsiveness, 1000)
    if args.review_keys:
        extras["review"] = review_loop(args.work, args.review_keys)
    write_report(args, sets, results, qualities, extras)


def write_report(args, sets, results, qualities, extras):
    lines = [
        "# Benchmark: Vetter and its peers",
        "",
        "Made by `bench/run.sh` on %s, on %s." % (datetime.date.today().isoformat(), machine()),
        "Numbers come from the harness (`bench/bench.py`); do not edit them by hand.",
        "",
        "Every tool makes the same outputs from each image, with one worker per core: the compressed",
        "original (its own size, JPEG quality 50); 1:1, 9:16 and 16:9 crops at 1080 on the short side,",
        "never enlarged (JPEG 85); a thumbnail 320 on the long side (JPEG 80). Vetter also analyses",
        "every image (colours, defects, perceptual hash, saliency for its crops), applies its rules and",
        "records everything in SQLite; the peers only make the files, and crop at the centre.",
        "",
        "- **Vetter**: `vetter batch` with its default job.",
        "- **Pillow**: `bench/peers/pillow_variants.py`, one process per core, one decode per image,",
        "  antialiased bilinear resizes with `reducing_gap`.",
        "- **libvips**: `bench/peers/vips_variants.c`, one decode per image into memory, one worker",
        "  thread per core, libvips' own threading off.",
        "- **floor**: `bench/peers/floor_variants.c`, libjpeg-turbo decoding each image once at full",
        "  size and encoding the same outputs from nearest-neighbour samples: no pixel pipeline does less.",
        "",
        "Medians of %d interleaved runs of %d images each. CPU is user plus system time per image;" % (args.runs, CYCLE),
        "memory is the peak resident size of the whole process tree (all of Pillow's processes); the",
        "memory target compares Vetter's whole with the largest single process of the lighter peer.",
        "",
    ]
    verdicts = []
    for set_name, description in SETS.items():
        lines += ["## %s" % description, "",
                  "| tool | images/s | CPU ms/image | peak MB | thumbnail PSNR dB | compressed PSNR dB |",
                  "|---|---|---|---|---|---|"]
        stats = {}
        for tool in ("Vetter", "Pillow", "libvips", "floor"):
            runs = results[(set_name, tool)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = max(r[2] for r in runs)
            single = max(r[3] for r in runs)
            stats[tool] = (CYCLE / wall, cpu / CYCLE * 1000, peak / 1e6, single / 1e6)
            tq, cq = qualities[(set_name, tool)]
            lines.append("| %s | %.1f | %.0f | %.0f | %.1f | %.1f |" % (tool, stats[tool][0], stats[tool][1], stats[tool][2], tq, cq))
        best_peer = max(("Pillow", "libvips"), key=lambda t: stats[t][0])
        lighter = min(("Pillow", "libvips"), key=lambda t: stats[t][3])
        lowest_memory = stats[lighter][3]
        speed_ratio = stats["Vetter"][0] / stats[best_peer][0]
        floor_ratio = stats["Vetter"][0] / stats["floor"][0]
        memory_ok = stats["Vetter"][2] <= lowest_memory
        lines += ["",
                  "- Vetter ÷ the faster peer (%s): **%.2f×** (target ≥ 1.8) %s" % (best_peer, speed_ratio, "✓" if speed_ratio >= 1.8 else "✗"),
                  "- Vetter ÷ the floor: **%.2f×** (target ≥ 0.8) %s" % (floor_ratio, "✓" if floor_ratio >= 0.8 else "✗"),
                  "- Vetter's peak memory with both workers %.0f MB; one process of the lighter peer (%s) %.0f MB %s" % (
                      stats["Vetter"][2], lighter, lowest_memory, "✓" if memory_ok else "✗"),
                  ""]
        verdicts.append(speed_ratio >= 1.8 and floor_ratio >= 0.8 and memory_ok)
    lines += ["PSNR: thumbnails against a reference made by Pillow's Lanczos filter from the full decode",
              "(higher is closer); compressed originals against their source, on the first 12 and 6 images.",
              ""]
    memory = extras["memory"]
    flat = memory["last_half_mb"] <= memory["first_fifth_mb"] * 1.1 + 5
    lines += ["## Memory over a long batch", "",
              "`vetter batch` on a CSV of %d products (1024-pixel photos), sampled every quarter second:" % memory["rows"],
              "",
              "| first fifth of the run | last half of the run | peak | time |",
              "|---|---|---|---|",
              "| %.0f MB | %.0f MB | %.0f MB | %.0f s |" % (memory["first_fifth_mb"], memory["last_half_mb"], memory["peak_mb"], memory["seconds"]),
              "",
              "- Flat (the last half within 10%% of the first fifth): %s" % ("✓" if flat else "✗"),
              "- One worker on a 24-megapixel progressive JPEG: peak %.0f MB for the whole process (%.1f s)" % (extras["big"]["peak_mb"], extras["big"]["seconds"]),
              ""]
    verdicts.append(flat)
    if "window" in extras:
        rows = extras["window"]
        smooth = all(w["over_one_frame"] == 0 for w in rows)
        lines += ["## The window while a batch runs", "",
                  "The real window under Xvfb, once on screen, with a CSV of 1,000 ads dropped on it; a 4 ms timer",
                  "on the UI thread measures how late the main loop serves it until the batch is done, with the",
                  "Queue on screen, and with the Review page on screen (its queue growing as the rules leave ads",
                  "for a person). \"default\" is the renderer Vetter picks on this machine: %s." % default_renderer(),
                  "",
                  "| renderer | page | seconds | median lateness | 99th percentile | worst | ticks later than a frame |",
                  "|---|---|---|---|---|---|---|"]
        for w in rows:
            lines.append("| %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %d |" % (
                w["renderer"], w["page"], w["seconds"], w["p50_ms"], w["p99_ms"], w["max_ms"], w["over_one_frame"]))
        lines += ["", "- Never stalls longer than a frame (16.7 ms): %s" % ("✓" if smooth else "✗"), ""]
        verdicts.append(smooth)
    if "review" in extras:
        review = extras["review"]
        cairo = [r for r in review["latency"] if r["renderer"] == "cairo"][0]
        fast = cairo["p90_ms"] <= 16
        exact = all(r["lost"] == 0 and r["wrong"] == 0 for r in review["pace"])
        pace100 = [r for r in review["pace"] if r["pace_ms"] == 100][0]
        sustained = pace100["per_second"] >= 5
        lines += ["## The review loop", "",
                  "`bench/review-keys` decides 100 ads (parts of real photographs, 1600 pixels) in the real window,",
                  "with real key presses through the X server: mostly A, rejections with a reason (R 2, R 4), one",
                  "\"Other\" in ten with a typed note. Key to drawn: from the decision's last key to the end of the",
                  "frame that shows the next ad, the moderator looking at each ad for 0.3 s first.",
                  "",
                  "| renderer | key to drawn p50 | p90 | worst | later than a frame |",
                  "|---|---|---|---|---|"]
        for r in review["latency"]:
            lines.append("| %s | %.1f ms | %.1f ms | %.1f ms | %d of %d |" % (
                r["renderer"], r["p50_ms"], r["p90_ms"], r["max_ms"], r["over_one_frame"], r["decisions"]))
        lines += ["", "Keys at a fixed pace, whatever is on screen; then every ad's decision, reason and note is read",
                  "back from the store and compared with what was typed on it:", "",
                  "| key every | decisions | right | lost | wrong | decisions a second |",
                  "|---|---|---|---|---|---|"]
        for r in review["pace"]:
            lines.append("| %d ms | %d | %d | %d | %d | %.2f |" % (
                r["pace_ms"], r["decisions"], r["right"], r["lost"], r["wrong"], r["per_second"]))
        lines += ["",
                  "- Key to drawn, 90th percentile on cairo: %.1f ms (target ≤ 16) %s" % (cairo["p90_ms"], "✓" if fast else "✗"),
                  "- No key lost or misapplied at either pace: %s" % ("✓" if exact else "✗"),
                  "- Decisions a second with a key every 100 ms: %.2f (target ≥ 5) %s" % (pace100["per_second"], "✓" if sustained else "✗"),
                  ""]
        verdicts += [fast, exact, sustained]
    lines += ["All targets met: **%s**." % ("yes" if all(verdicts) else "no"), ""]
    with open(args.report, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
