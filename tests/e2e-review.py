#!/usr/bin/python3
# e2e-review.py: a moderator's session, driven through the accessibility tree
#
# Starts the real `vetter` with a CSV of ads on the command line, finds its
# window over AT-SPI, waits for the queue to finish, switches to Review,
# approves one ad and rejects the next as a duplicate, the way a screen
# reader user would (by the buttons' accessible names), then approves the
# third with the A key, sent as a real key press. The database is
# then read directly to check what was recorded. Then the console, from the
# keyboard alone.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import warnings

# The test environment makes GLib warnings fatal for the application; this
# driver's own AT-SPI library warns when it asks an application that is
# still setting up its accessibility tree, which is no fault of Vetter.
# (Set before GLib is loaded, which reads it once.)
os.environ.pop("G_DEBUG", None)

import gi  # noqa: E402

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

# The action calls used here are the ones every Debian 12 Atspi has.
warnings.simplefilter("ignore", DeprecationWarning)

PHOTOS = "/usr/share/backgrounds/mate/nature"
TIMEOUT = 90


def log(message):
    print(f"# {message}", flush=True)


def wait_for(what, probe, timeout=TIMEOUT, window=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.2)
    if window is not None:
        log("labels on screen: " + " | ".join(t for t in texts(window) if t))
    raise AssertionError(f"timed out waiting for {what}")


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        count = node.get_child_count()
    except Exception:
        return
    for i in range(count):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find(root, role=None, name=None, contains=None):
    for node in walk(root):
        try:
            if role is not None and node.get_role_name() != role:
                continue
            label = node.get_name() or ""
            if name is not None and label != name:
                continue
            if contains is not None and contains not in label:
                continue
            return node
        except Exception:
            continue
    return None


def texts(root):
    found = []
    for node in walk(root):
        try:
            if node.get_role_name() == "label":
                found.append(node.get_name() or "")
        except Exception:
            pass
    return found


def focused(root):
    for node in walk(root):
        try:
            if node.get_state_set().contains(Atspi.StateType.FOCUSED):
                return node
        except Exception:
            continue
    return None


def describe(node):
    return f"{node.get_role_name()} “{node.get_name() or ''}”" if node is not None else "nothing"


def press(keysym):
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    time.sleep(0.25)


def click(node):
    action = node.get_action_iface()
    assert action is not None, f"{node.get_name()} has no action"
    names = [action.get_action_name(i) for i in range(action.get_n_actions())]
    for i, name in enumerate(names):
        if name in ("click", "activate", "press"):
            action.do_action(i)
            return
    action.do_action(0)


def find_app(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    return None


def x_server_ready():
    """The display accepts connections (xvfb-run may hand over early)."""
    import socket
    display = os.environ.get("DISPLAY", ":0").split(":")[-1].split(".")[0]
    path = f"/tmp/.X11-unix/X{display}"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(path)
        return True
    except OSError:
        return False


def query(db, sql):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def chord(modifier_mask, keysym):
    """@keysym with the modifiers of @modifier_mask (X's masks) held."""
    Atspi.generate_keyboard_event(modifier_mask, None, Atspi.KeySynthType.LOCKMODIFIERS)
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    Atspi.generate_keyboard_event(modifier_mask, None, Atspi.KeySynthType.UNLOCKMODIFIERS)
    time.sleep(0.3)


def console_by_keyboard(window, extents):
    """The console through the keyboard alone, as a screen reader user
    would: Alt+3 shows it, / goes to the search, typed text narrows the
    list, Tab reaches a row, Enter opens the ad, Escape goes
    back to the list."""
    Atspi.generate_mouse_event(extents.x + extents.width // 2, extents.y + extents.height // 2, "abs")
    time.sleep(0.3)
    chord(8, 0x33)  # Alt (Mod1) + 3
    tab = wait_for("the Console tab", lambda: find(window, role="page tab", name="Console"))
    wait_for("the console shown", lambda: tab.get_state_set().contains(Atspi.StateType.SELECTED), window=window)
    wait_for("the console's list", lambda: find(window, role="label", name="4 rows"), window=window)
    press(0x2f)  # /
    search = wait_for("the search focused", lambda: (
        n if (n := focused(window)) is not None and "Search" in (n.get_name() or "") else None), window=window)
    log(f"/ focused {describe(search)}")
    Atspi.generate_keyboard_event(0, "Ad 3", Atspi.KeySynthType.STRING)
    wait_for("the list narrowed to one ad", lambda: find(window, role="label", name="1 row"), window=window)
    # From the search into the rows: Tab until a row (a cell) has the focus.
    for _ in range(12):
        press(0xff09)  # Tab
        node = focused(window)
        if node is not None and node.get_role_name() in ("table row", "list item", "row", "table cell"):
            break
    log(f"Tab reached {describe(focused(window))}")
    press(0xff0d)  # Return
    wait_for("the ad in full", lambda: find(window, role="label", contains="Ad 3"), window=window)
    wait_for("the ad's page", lambda: find(window, role="label", name="Ad 3: Ad 3") or
             find(window, role="label", contains=": Ad 3"), window=window)
    press(0xff1b)  # Escape
    wait_for("the list again", lambda: find(window, role="label", name="1 row"), window=window)


def main():
    binary = os.environ["VETTER_BINARY"]
    scratch = tempfile.mkdtemp(prefix="vetter-e2e-")
    db = os.path.join(scratch, "vetter.db")
    photos = sorted(os.listdir(PHOTOS))[:4]
    csv = os.path.join(scratch, "ads.csv")
    with open(csv, "w", encoding="utf-8") as out:
        out.write("email,image,title\n")
        for i, photo in enumerate(photos):
            out.write(f"seller{i}@example.com,{PHOTOS}/{photo},Ad {i + 1}\n")

    env = dict(os.environ)
    env.update({
        "VETTER_DB": db,
        "GTK_A11Y": "atspi",
        "GDK_BACKEND": "x11",
        "GSK_RENDERER": "cairo",
    })
    env.pop("NO_AT_BRIDGE", None)
    # Warnings from the accessibility bridge itself are not the app's.
    env["G_DEBUG"] = ""
    wait_for("the X server", x_server_ready, timeout=20)
    # xvfb-run can hand over a display that still refuses its first
    # clients; an application that could not open it is started again.
    for attempt in range(5):
        process = subprocess.Popen([binary, csv], env=env)
        try:
            process.wait(timeout=1.5)
        except subprocess.TimeoutExpired:
            break
        log(f"vetter exited with status {process.returncode} at once; starting it again")
        time.sleep(1)
    try:
        Atspi.init()
        def started():
            if process.poll() is not None:
                raise AssertionError(f"vetter exited with status {process.returncode} before its window appeared")
            return find_app(process.pid)

        app = wait_for("the application on the accessibility bus", started)
        log(f"found {app.get_name()}")
        window = wait_for("the main window", lambda: find(app, role="frame"))

        wait_for("the batch to finish",
                 lambda: any("4 of 4 done" in t for t in texts(window)))
        log("the queue finished the batch")

        review_tab = wait_for("the Review tab",
                              lambda: find(window, role="page tab", name="Review"))
        click(review_tab)
        approve = wait_for("the Approve button",
                           lambda: find(window, role="push button", contains="Approve"))
        wait_for("an ad on screen", lambda: find(window, role="label", name="Ad 1"), window=window)
        log("the first ad is on screen")

        click(approve)
        wait_for("the second ad", lambda: find(window, role="label", name="Ad 2"), window=window)
        reject = find(window, role="push button", contains="Reject")
        assert reject is not None, "no Reject button"
        click(reject)
        duplicate = wait_for("the Duplicate reason",
                             lambda: find(window, role="push button", name="Duplicate"))
        # As a person would, once the reason bar is drawn. Its buttons are in
        # the tree before its first frame, and GTK 4.8 ignores the activation
        # of a button never realized (gtk_real_button_activate), which it
        # is until then; no state says so (SHOWING is not set on buttons).
        time.sleep(0.5)
        click(duplicate)
        wait_for("the third ad", lambda: find(window, role="label", name="Ad 3"), window=window)

        # The keyboard itself: with the pointer over the window (an X server
        # without a window manager gives it the focus), A approves.
        extents = window.get_extents(Atspi.CoordType.SCREEN)
        Atspi.generate_mouse_event(extents.x + extents.width // 3, extents.y + extents.height // 2, "abs")
        time.sleep(0.5)
        Atspi.generate_keyboard_event(0x61, None, Atspi.KeySynthType.SYM)  # a
        wait_for("the fourth ad", lambda: find(window, role="label", name="Ad 4"))

        # Tab goes through the controls a moderator uses, each with a name,
        # the filters included, and comes back round; no bare text on the way.
        stops = []
        for _ in range(60):
            press(0xff09)  # Tab
            node = focused(window)
            stops.append(describe(node))
            assert node is not None, f"Tab left nothing focused after {stops}"
            assert node.get_name(), f"Tab reached an unnamed {describe(node)} after {stops}"
            assert node.get_role_name() != "label", f"Tab stopped on text: {stops}"
            if len(stops) > 2 and stops[-1] == stops[0]:
                break
        log("Tab order: " + ", ".join(stops))
        for name in ("Batch", "Status", "Defect", "What the rules decided", "Approve", "Reject"):
            assert any(f"“{name}" in stop for stop in stops), f"Tab never reached {name}: {stops}"

        # The last ad decided, focus lands on the way on from "all done".
        Atspi.generate_mouse_event(extents.x + extents.width // 3, extents.y + extents.height // 2, "abs")
        time.sleep(0.3)
        press(0x61)  # a
        done = wait_for("the all-done page", lambda: find(window, role="label", name="All Caught Up"), window=window)
        assert done is not None
        landing = wait_for("a focused control on the all-done page",
                           lambda: (n if (n := focused(window)) is not None and n.get_name() else None))
        log(f"after the last ad: {describe(landing)}")
        assert "Decided" in (landing.get_name() or ""), describe(landing)

        user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        rows = wait_for("both decisions in the store", lambda: (
            r if len(r := query(db, "SELECT title, status, reason_code, decided_by, auto FROM item"
                                   " WHERE auto = 0 ORDER BY row")) == 4 else None))
        log(f"recorded: {rows}")
        assert rows[0][0] == "Ad 1" and rows[0][1] == "approved", rows
        assert rows[1][0] == "Ad 2" and rows[1][1] == "rejected" and rows[1][2] == "duplicate", rows
        assert rows[2][0] == "Ad 3" and rows[2][1] == "approved", rows
        assert rows[0][3] == rows[1][3] and rows[0][3], rows
        if user:
            assert rows[0][3] == user, (rows, user)
        assert rows[3][0] == "Ad 4" and rows[3][1] == "approved", rows
        audit = query(db, "SELECT count(*) FROM audit_log WHERE action = 'decide'")
        assert audit[0][0] == 4, audit
        print("ok 1 - approve and reject through the accessibility tree and the keyboard; Tab order; all done")

        console_by_keyboard(window, extents)
        print("ok 2 - the console from the keyboard: Alt+3, / to search, Tab to the rows, Enter opens, Escape back")
        print("1..2")
        return 0
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
