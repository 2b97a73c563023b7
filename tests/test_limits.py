"""What one visitor may hold of the server (engage/ui/limits.py, the tab-closed hook in engage/ui/cleanup.py): a
cancelled handler still holds its slot, one session cannot fill the shared queue, a request of huge images is refused
from their headers, a closed tab's session (and its exports) goes at once."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, start_app, stop_app

ZERO = "Zero-shot level probabilities (engage's, untrained)"
PROGRESS = gr.Progress()
HANG_GUARD_S = 600  # a wait this long only stops a broken test from hanging: what it waits for takes about a second


# ---------------------------------------------------------------- in-process


def test_a_cancelled_handler_still_holds_its_slot():
    """Gradio's queue starts the next event when one is cancelled, while the cancelled handler runs on in its thread:
    the work's own slot makes the next one wait for it (issue 26, item 13)."""
    from engage.ui.limits import Work

    gate, first_in, second_in = threading.Event(), threading.Event(), threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def analyse(name: str, lang: str = "en"):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        (first_in if name == "first" else second_in).set()
        if name == "first":
            gate.wait()  # the "cancelled" analysis, still at work
        with lock:
            running[0] -= 1
        return name

    work = Work(1)
    handler = work(analyse)
    first = threading.Thread(target=handler, args=("first",))
    first.start()
    first_in.wait()
    second = threading.Thread(target=handler, args=("second",))  # what the queue starts after the cancel
    second.start()
    entered_early = second_in.wait(timeout=2)  # not a deadline on the fix: only how long the old behaviour gets to show
    gate.set()
    first.join()
    second.join()
    assert not entered_early and most[0] == 1 and second_in.is_set()


def test_a_generator_holds_its_slot_across_its_results_and_gives_it_back_when_closed():
    from engage.ui.limits import Admission, Work

    admission = Admission(limit=1)
    work = Work(1, admission)

    def frames(n: int, lang: str = "en"):
        yield from range(n)

    class Request:
        session_hash = "visitor"

    handler = work(frames)
    assert admission.take("visitor") and not admission.take("visitor")
    gen = handler(3, "en", request=Request())
    assert next(gen) == 0 and not work._semaphore.acquire(blocking=False)  # held between results
    gen.close()  # gradio closes a cancelled generator
    assert work._semaphore.acquire(blocking=False)
    work._semaphore.release()
    assert admission.take("visitor")  # its place came back


def test_a_session_holds_at_most_its_places_and_lost_ones_come_back():
    from engage.ui.limits import Admission

    queued = {"a": 0}
    admission = Admission(limit=2, queue_size=lambda s: queued.get(s))
    assert admission.take("a") and admission.take("a") and not admission.take("a")
    assert admission.take("b")  # another visitor is not affected
    admission.give_back("a")
    assert admission.take("a") and not admission.take("a")
    # two events cancelled while queued never ran: once the queue no longer holds them, their places come back
    admission._held["a"] = type(admission._held["a"])([time.monotonic() - 60] * 2)
    assert admission.take("a")


def test_the_wrapped_handler_keeps_what_gradio_reads_of_it():
    """The request gradio passes is added when a handler has none, and kept from it; the rest of the signature and
    the annotations stay as they are (gradio injects by them)."""
    import inspect

    from engage.ui.limits import Work

    def no_request(files, name, roster, lang: str = "en"):  # as add_to_roster
        return files

    def with_request(video, method, lang: str = "en", request: gr.Request = None, progress=PROGRESS):  # as analyze_video
        yield video

    for fn in (no_request, with_request):
        wrapped = Work(1)(fn)
        params = inspect.signature(wrapped).parameters
        assert list(params)[: len(inspect.signature(fn).parameters)] == list(inspect.signature(fn).parameters)
        assert "request" in params and inspect.isgeneratorfunction(wrapped) == inspect.isgeneratorfunction(fn)
        assert gr.utils.get_type_hints(wrapped)["request"] is gr.Request  # what gradio injects the request by
    seen = []
    wrapped = Work(1)(lambda files, lang="en": seen.append((files, lang)) or "done")
    assert wrapped(["a.png"], "vi", gr.Request()) == "done" and seen == [(["a.png"], "vi")]  # the request is not passed on


# ---------------------------------------------------------------- the app


@pytest.fixture(scope="module")
def limited_app(tiny_dir, heads_dir, tmp_path_factory):
    """An app of this module's own: two places per session, a 5-megapixel budget per request, heartbeats every half
    second (a closed tab is noticed at once) and a temp folder of its own (its exports are counted)."""
    tmp = tmp_path_factory.mktemp("limits-tmp")
    env = dict(
        ENGAGE_BACKBONE=tiny_dir, ENGAGE_WEIGHTS=heads_dir, ENGAGE_DEVICE="cpu", TMPDIR=str(tmp),
        GRADIO_TEMP_DIR=str(tmp_path_factory.mktemp("limits-gradio")), GRADIO_HEARTBEAT_INTERVAL="0.5",
        ENGAGE_SESSION_REQUESTS="2", ENGAGE_MAX_REQUEST_PIXELS="5000000",
    )
    url, proc = start_app(env, str(tmp_path_factory.mktemp("limits-log") / "app.log"))
    yield url, str(tmp)
    stop_app(proc)


def test_one_session_cannot_fill_the_queue(limited_app, tmp_path):
    """Forty submissions at once from one client: beyond its two places they are refused before joining the queue,
    with engage's line, and another visitor is served (issue 26, item 14)."""
    from gradio_client import Client, handle_file

    url, _ = limited_app
    photo = tmp_path / "big.png"
    Image.fromarray(np.full((1600, 2000, 3), 90, np.uint8)).save(photo)  # decoded and scaled: some CPU each
    flood = Client(url, verbose=False)
    outcomes: list[str] = []

    def one(_):
        try:
            flood.predict(handle_file(str(photo)), ZERO, api_name="/analyze_image")
            return "ok"
        except Exception as exc:
            return str(exc)

    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(one, i) for i in range(40)]
        other = Client(url, verbose=False)
        served = other.predict(handle_file(os.path.join(ROOT, "examples", "astronaut.png")), ZERO, api_name="/analyze_image")
        outcomes = [f.result() for f in futures]
    flood.close()
    other.close()
    refused = [o for o in outcomes if "analyses waiting or running" in o]
    print(f"\n40 submissions from one session: {outcomes.count('ok')} served, {len(refused)} refused at the door; "
          f"other errors: {sorted({o[:80] for o in outcomes if o != 'ok' and o not in refused})}")
    assert isinstance(served[2], dict) and served[2].get("windows")
    assert refused and all(o == "ok" or o in refused for o in outcomes)


def test_huge_frames_are_refused_from_their_headers(limited_app, tmp_path):
    """Frames that hold more pixels together than a request may are refused before any is decoded (item 14)."""
    from gradio_client import Client, handle_file

    url, _ = limited_app
    frames = []
    for i in range(3):
        path = tmp_path / f"huge{i}.png"
        Image.new("RGB", (2000, 1500), (30 * i, 60, 90)).save(path)  # 3 MP each, a few KB on disk
        frames.append(handle_file(str(path)))
    client = Client(url, verbose=False)
    try:
        with pytest.raises(Exception, match="9 megapixels together; one request may hold at most 5"):
            client.predict(frames, ZERO, api_name="/analyze_frames")
        out = client.predict(frames[:1], ZERO, api_name="/analyze_frames")  # one of them fits
        assert out[2].get("windows")
    finally:
        client.close()


def _exports(tmp: str) -> list[str]:
    root = os.path.join(tmp, "engage-exports")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_a_closed_tab_drops_its_session_at_once(limited_app, tmp_path):
    """Gradio keeps a closed tab's state an hour; engage drops it when the tab closes, its export folder with it
    (issue 26, item 15)."""
    from gradio_client import Client, handle_file

    from engage.classroom.scenes import benchmark_scenes

    url, tmp = limited_app
    scene = next(s for s in benchmark_scenes() if len(s.boxes) >= 2)
    Image.fromarray(scene.frame).save(tmp_path / "class.png")
    before = _exports(tmp)
    client = Client(url, verbose=False)
    client.predict(None, handle_file(str(tmp_path / "class.png")), ZERO, 2, api_name="/analyze_classroom")
    client.predict(api_name="/export_class")
    mine = [f for f in _exports(tmp) if f not in before]
    assert len(mine) == 1  # the session's export folder
    client.close()  # the tab closes: its heartbeat ends
    guard = time.monotonic() + HANG_GUARD_S
    while mine[0] in _exports(tmp) and time.monotonic() < guard:
        time.sleep(0.5)
    assert mine[0] not in _exports(tmp)


def test_a_classroom_camera_holds_its_slot_for_a_short_turn_and_the_tab_says_so(limited_app):
    """Two camera streams used to hold both slots for 30 minutes while a third teacher waited, told nothing: a turn is
    now 10 minutes, and the tab says how many cameras run at once and what happens to a waiting one (item 20)."""
    import json
    import urllib.request

    url, _ = limited_app
    with urllib.request.urlopen(url + "config") as response:
        config = json.load(response)
    camera = next(d for d in config["dependencies"] if d.get("api_name") == "classroom_frame")
    words = [c["props"].get("value") for c in config["components"] if c.get("props", {}).get("elem_id") == "class-camera-turns"]
    assert camera["time_limit"] == 600
    assert words and "At most 2 classroom cameras run at once, each for up to 10 minutes" in words[0]
    # whether one is free, or how long yours waits: said on opening the section, then every 5 s while it is open
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"]}
    timer = next(c for c in config["components"] if c.get("type") == "timer")
    assert timer["props"]["value"] == 5 and timer["props"]["active"] is False
    targets = [[t[1] for t in d["targets"]] for d in config["dependencies"] if ids["class-camera-now"] in d["outputs"]]
    assert ["expand"] in targets and ["tick"] in targets and all(not d["queue"] for d in config["dependencies"]
                                                                  if ids["class-camera-now"] in d["outputs"])
