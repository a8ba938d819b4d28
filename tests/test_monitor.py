"""SearchMonitor with a real tiny search: first-epoch curve and ETA, Stop, resume, the two arcs, escaping.

The Stop click is also sent to a real kernel while a cell is busy, as JupyterLab sends it.
"""

from __future__ import annotations

import json
import time

import pytest

import enas_viz as ev
from enas_viz.monitor_view import CURVES

# a few batches per epoch, a few controller steps: seconds, even on a busy 2-core machine
SMALL = dict(max_train_batches=4, max_eval_batches=1, log_every=1, ctrl_train_steps=2, ctrl_num_aggregate=2,
             arcs_per_epoch=3, derive_samples=3, batch_size=16)  # fmt: skip
HOSTILE = '<img src=x onerror="alert(1)">'


def _curve(monitor, name):
    return monitor.curves.data[CURVES.index(name)]


class _ClickStop:
    """A callback after the monitor: snapshots the first epoch, then clicks Stop in the second epoch."""

    def __init__(self, monitor):
        self.monitor, self.first_epoch = monitor, None

    def __call__(self, event):
        m = self.monitor
        if event["event"] == "child_step" and event["epoch"] == 0 and event["step"] == 2:
            m.redraw()
            self.first_epoch = {
                "child_points": len(_curve(m, "loss").y),
                "arcs": len(m.rows["archs"]),
                "eta": m.eta.value,
                "step_bar": (m.step_bar.value, m.step_bar.max),
                "dag_note": [a.text for a in m.dag.layout.annotations],
            }
        if event["event"] == "child_step" and event["epoch"] == 1 and event["step"] == 5:
            m.stop_button.click()


def test_stop_button_ends_a_real_search_cleanly_and_resume_finishes_it(tmp_path):
    monitor = ev.SearchMonitor(min_interval=0.0, auto_display=False)
    clicker = _ClickStop(monitor)
    out = tmp_path / "run"
    result = ev.search(space="macro", dataset="digits", epochs=2, out=out, preset="tiny", seed=0, progress=False,
                       callbacks=[monitor, clicker], **SMALL)  # fmt: skip

    # the first epoch is not blank: the shared-weights curve, the step bar and an ETA move before any arc exists
    first = clicker.first_epoch
    assert first["arcs"] == 0 and first["child_points"] == 2 and first["step_bar"] == (2, 4)
    assert "training: " in first["eta"] and "run: at least" in first["eta"]
    assert first["dag_note"] and "end of epoch 1" in first["dag_note"][0]

    # Stop ended the run at the next step: run_end "stopped", the button says so, the status says how to go on
    assert result.status == "stopped" and result.derived_arc is None
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "stopped"
    assert max(e["step"] for e in events if e["event"] == "child_step") == 5  # no step after the click
    assert monitor.stop_requested and monitor.stop_button.disabled and monitor.stop_button.description == "Stopped"
    assert "run stopped (its last checkpoint is epoch 1)" in monitor.status.value
    assert "resume=True" in monitor.status.value

    # resume from the checkpoint; the new monitor names the derived arc (to train) apart from the best sampled one
    again = ev.SearchMonitor(min_interval=0.0, auto_display=False)
    done = ev.search(space="macro", dataset="digits", epochs=2, out=out, preset="tiny", seed=0, progress=False,
                     resume=True, callbacks=[again], **SMALL)  # fmt: skip
    assert done.status == "done" and again.derived_arc == str(done.derived_arc)
    status = again.status.value
    assert f"<code>{done.derived_arc}</code>" in status and "the one to train" in status
    assert f"reward {done.derived_reward:.4g} on one validation minibatch" in status
    best = again.best_sampled
    assert max(r["val_acc"] for r in again.rows["archs"]) == best["val_acc"]
    assert f"best sampled arc</b> val_acc <b>{best['val_acc']:.4g}</b>" in status and best["arc"] in status
    assert again.steps_per_epoch == 4 and again.stop_button.description == "Ended"


def _events(derived, arcs):
    yield {"event": "run_start", "space": "macro", "space_params": {"num_layers": 3}, "config": {"epochs": 1},
           "ops": list(ev.SPACES["macro"].ops), "steps_per_epoch": 10}  # fmt: skip
    for i, (arc, acc) in enumerate(arcs):
        yield {
            "event": "arc_sample",
            "epoch": 1,
            "sample": i,
            "space": "macro",
            "arc": arc,
            "val_acc": acc,
            "reward": acc,
        }
    yield {"event": "run_end", "status": "done", "minutes": 0.1, "derived_arc": derived, "derived_reward": 0.5}


def test_best_sampled_and_derived_arcs_each_beside_their_own_score():
    monitor = ev.SearchMonitor(min_interval=0.0, auto_display=False)
    for event in _events("1 0 1 2 0 1", [("0 3 0 0 1 0", 0.6), ("5 1 1 2 1 1", 0.8125), ("4 0 1 3 0 0", 0.7)]):
        monitor(event)
    status = monitor.status.value
    best_line = next(line for line in status.split("<br>") if "best sampled arc" in line)
    assert "0.8125" in best_line and "5 1 1 2 1 1" in best_line and "1 0 1 2 0 1" not in best_line
    derived_line = next(line for line in status.split("<br>") if "derived arc" in line)
    assert "1 0 1 2 0 1" in derived_line and "reward 0.5" in derived_line and "0.8125" not in derived_line


def test_every_log_string_in_the_status_is_escaped():
    monitor = ev.SearchMonitor(min_interval=0.0, auto_display=False)
    monitor({"event": "run_start", "space": HOSTILE, "config": {"epochs": HOSTILE}, "ops": [HOSTILE]})
    monitor({"event": "child_step", "epoch": 0, "step": HOSTILE, "loss": HOSTILE, "train_acc": None, "minutes": 0.1})
    monitor({"event": "controller_step", "epoch": 1, "entropy": HOSTILE, "reward": HOSTILE, "minutes": 0.2})
    monitor({"event": "eval", "epoch": 1, "split": HOSTILE, "accuracy": HOSTILE})
    monitor({"event": "run_end", "status": HOSTILE, "derived_arc": HOSTILE, "derived_reward": None})
    html = monitor.status.value + monitor.eta.value
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    monitor({"event": "run_end", "status": "stopped"})
    assert "<img" not in monitor.status.value


def test_theme_follows_the_front_end():
    monitor = ev.SearchMonitor(auto_display=False)
    monitor.theme.dark = True  # what the front end reports for JupyterLab Dark
    assert monitor.curves.layout.template.layout.paper_bgcolor == "rgb(17,17,17)"  # plotly_dark
    assert monitor.dag.layout.plot_bgcolor == "#F4F4F4"  # the DAG keeps a light card: its colours read
    monitor._on_busy_theme({"method": "update", "state": {"dark": False}})  # reported while the cell is busy
    monitor.redraw()
    assert monitor.curves.layout.template.layout.paper_bgcolor == "white"


BUSY_CELL = """
import time
t0 = time.monotonic()
while not monitor.stop_requested and time.monotonic() - t0 < 60:
    time.sleep(0.05)  # a search step
print("stop seen after", round(time.monotonic() - t0, 1), "s" if monitor.stop_requested else "never")
"""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_stop_click_reaches_a_kernel_busy_running_a_cell():
    """What JupyterLab does: a comm message for the button arrives while the search cell still runs."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        out = []
        kc.execute_interactive(
            "import enas_viz as ev\nmonitor = ev.SearchMonitor(auto_display=False)\nprint(monitor.stop_button.model_id)",
            output_hook=lambda msg: out.append(msg["content"].get("text", "")),
            timeout=120,
        )
        model_id = "".join(out).strip()
        msg_id = kc.execute(BUSY_CELL)
        time.sleep(1.5)  # the cell is running now
        click = {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}}
        kc.shell_channel.send(kc.session.msg("comm_msg", click))
        printed, deadline = [], time.monotonic() + 90
        while time.monotonic() < deadline:
            msg = kc.get_iopub_msg(timeout=deadline - time.monotonic())
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        text = "".join(printed)
        assert "stop seen after" in text and "never" not in text, text
        assert float(text.split("after")[1].split()[0]) < 10  # at once, not when the 60 s cell ends
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
