"""draw_arc and `enas-viz draw`: pictures of one architecture."""

from __future__ import annotations

import numpy as np
import pytest

import enas_viz as ev
from enas_viz.cli import main

ARCS = {
    "macro": "0 3 0 0 1 0 2 0 0 1 2 0 0 0 0",
    "micro": "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1",
    "rnn": "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1",
}


@pytest.mark.parametrize("space", sorted(ARCS))
def test_each_space_draws_a_png(tmp_path, space):
    import imageio.v3 as iio

    path = ev.draw_arc(ARCS[space], tmp_path / f"{space}.png", size=(480, 300), space=space)
    img = iio.imread(path)
    assert img.shape[:2] == (300, 480)
    rgb = img[..., :3].reshape(-1, 3)
    assert (rgb < 240).any(axis=1).mean() > 0.03  # not blank
    # the op colours of the arc appear (quantised to tolerate anti-aliasing)
    colours = {tuple(c) for c in (rgb // 16)}
    assert len(colours) >= 8


def test_drawing_shows_the_op_colours(tmp_path):
    import imageio.v3 as iio
    from matplotlib.colors import to_rgb

    from enas_viz.colors import op_color

    path = ev.draw_arc("5", tmp_path / "one.png", size=(400, 240), space="macro", title="")
    img = iio.imread(path)[..., :3].astype(int)
    target = np.array([round(255 * c) for c in to_rgb(op_color("max_pool3x3"))])
    assert (np.abs(img - target).sum(axis=2) < 6).sum() > 200  # the max_pool box is filled


def test_svg_is_written(tmp_path):
    from enas_viz.colors import op_color

    path = ev.draw_arc(ARCS["micro"], tmp_path / "cell.svg", space="micro")
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "normal cell" in text and "reduce cell" in text  # matplotlib names each text in a comment
    for op in ("sep_conv3x3", "avg_pool3x3", "identity"):  # ops of this arc, filled with their colours
        assert op_color(op).lower() in text.lower()


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        ev.draw_arc(ARCS["macro"], tmp_path / "x.jpg", space="macro")


def test_cli_draws_from_words_and_from_a_file(tmp_path, capsys):
    out = tmp_path / "net.png"
    assert main(["draw", *ARCS["macro"].split(), "--space", "macro", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000
    arc_file = tmp_path / "cell.txt"
    arc_file.write_text("[0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1]\n[1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1]\n")
    out2 = tmp_path / "cell.png"
    assert main(["draw", f"@{arc_file}", "--space", "micro", "-o", str(out2)]) == 0
    assert out2.is_file()
    assert "wrote" in capsys.readouterr().out


def test_cli_bad_arc_says_what_and_where(tmp_path, capsys):
    out = tmp_path / "bad.png"
    assert main(["draw", "0 1 7", "--space", "macro", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "enas-viz draw: error:" in err and "skip bit 0 is 7" in err and "token 2" in err
    assert not out.exists()


def test_cli_wrong_size_and_missing_file(tmp_path, capsys):
    assert main(["draw", "0 3", "--space", "macro", "-o", str(tmp_path / "a.png")]) == 1
    assert "macro: 2 tokens" in capsys.readouterr().err
    assert main(["draw", f"@{tmp_path / 'nope.txt'}", "-o", str(tmp_path / "b.png")]) == 1
    assert "no such arc file" in capsys.readouterr().err


def test_svg_keeps_its_text_as_text_and_pdf_is_written(tmp_path):
    import xml.etree.ElementTree as ET

    path = ev.draw_arc(ARCS["macro"], tmp_path / "net.svg", space="macro", title="my network")
    texts = ["".join(t.itertext()) for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert "my network" in texts and "sep_conv3x3" in texts and "stem" in texts  # real <text>, not glyph paths
    pdf = ev.draw_arc(ARCS["micro"], tmp_path / "cell.pdf", space="micro")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # TrueType embedded: selectable, editable text
    assert main(["draw", ARCS["rnn"], "--space", "rnn", "-o", str(tmp_path / "rnn.pdf")]) == 0


@pytest.mark.parametrize("fonttype", ["none", "path"])
def test_hostile_op_names_and_titles_stay_text_in_svg(tmp_path, fonttype):
    """Op names come from logs: matplotlib must escape them in SVG text and in its comments."""
    import xml.etree.ElementTree as ET

    from matplotlib import rc_context

    from enas_viz.render import Renderer

    hostile = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "--><svg onload=alert(3)>", "a&b"]
    arc = ev.parse_arc("0 1 0 2 1 0", "macro", ops=[*hostile, "e", "f"])
    r = Renderer.for_arc(arc, animated=False, changes=True)
    path = tmp_path / "hostile.svg"
    with rc_context({"svg.fonttype": fonttype}):
        r.update(arc, title="</text><script>alert(4)</script>", info=hostile[1])
        r.fig.savefig(path)
    root = ET.parse(path).getroot()  # still well-formed XML
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert not tags & {"script", "img"} and not any(
        name.startswith("on") for el in root.iter() for name in el.attrib
    )  # no element or handler was injected
    if fonttype == "none":
        texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
        assert set(hostile) <= texts and "</text><script>alert(4)</script>" in texts  # shown as written
