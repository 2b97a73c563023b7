"""The About tab in Vietnamese and English: every sentence by key, the heads' card and metrics, no server path."""
from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest

from engage.affect.card import card_protocol, metrics_table, new_card
from engage.affect.results import STATES
from engage.errors import HeadsMissingError
from engage.model.protocol import REPORT_PROTOCOL, REPORT_PROTOCOL_SOURCE
from engage.ui import about

# Words no Vietnamese sentence holds: an English sentence left in a Vietnamese page has some of them
ENGLISH = {"the", "of", "and", "is", "are", "by", "than", "from", "with", "not", "on", "for", "a", "an", "to", "in", "at",
           "heads", "model", "frame", "frames", "window", "level", "levels", "baseline", "majority", "report", "feature"}


def english_words(markdown: str) -> set[str]:
    """English words of ``markdown`` outside code spans and quoted prompts ("Analyze this video." is the prompt)."""
    prose = re.sub(r"`[^`]*`|\"[^\"]*\"", " ", markdown)
    return {w for w in re.findall(r"[^\W\d_]+", prose.lower()) if w in ENGLISH}


def _metrics(n: int = 1784) -> dict:
    def block(base: float) -> dict:
        return {"f1_macro": base, "qwk": base / 2, "balanced_accuracy": base + 0.1, "accuracy": base + 0.2, "n": n}

    return {s: {"validation": block(0.3 + i / 100), "test": block(0.25 + i / 100), "majority_baseline_test": {**block(0.15), "qwk": 0.0}}
            for i, s in enumerate(STATES)}


def _heads(card: dict) -> SimpleNamespace:
    return SimpleNamespace(card=card, protocol=card_protocol(card), input_size=card["input_size"], trained=card["trained"])


def test_about_reads_vietnamese_and_english(engine, tiny_dir):
    vi, en = about.about_markdown(engine, "vi"), about.about_markdown(engine)
    assert en == about.about_markdown(engine, "en")
    # Vietnamese throughout, the report's terms, decimal commas
    assert "### Đây là gì" in vi and "### Giới hạn" in vi and "### Quyền riêng tư" in vi
    assert "**chán nản, tập trung, bối rối và bực bội**" in vi and "(rất thấp, thấp, cao, rất cao)" in vi
    assert "**Đầu MLP (phương pháp của báo cáo):**" in vi and "**Xác suất mức độ zero-shot (của engage, không huấn luyện):**" in vi
    assert "khoảng 100.352 đến 602.112 điểm ảnh (khoảng riêng, hẹp hơn của engage: bộ tiền xử lý của báo cáo giữ từ 3.136 đến 12.845.056" in vi
    assert "0.1" not in vi
    assert "| Chán nản |" in vi and "| trạng thái | macro-F1 kiểm định |" in vi
    assert "Trọng số thử ngẫu nhiên" in vi and "xem thẻ **Kiểm tra báo cáo**" in vi
    assert not english_words(vi), english_words(vi)
    # English
    assert "### What this is" in en and "### Privacy" in en
    assert "between 100,352 and 602,112 pixels (engage's own, narrower range: the report's processor kept between 3,136 and 12,845,056" in en
    assert "Random test weights" in en and "Feature protocol: **engage**" in en
    for md in (vi, en):
        # the sampling and sizing rules in words, not formulas
        assert "floor(" not in md and "28×28" not in md and "patches" not in md
        # the backbone by its folder's name only, never a server path
        assert tiny_dir not in md and os.path.dirname(tiny_dir) not in md and os.path.basename(tiny_dir) in md
    assert "one frame a second, rounded down to an even number (at least 4), evenly spread" in en
    assert "một khung hình mỗi giây, làm tròn xuống thành số chẵn (ít nhất 4), rải đều trong cửa sổ" in vi
    # where the mean pooling comes from, accurately
    assert "The report's video notebook saved these hidden states without pooling them" in en
    assert "from the report's method text and from its image and deployment code" in en
    assert "Notebook xử lý video của báo cáo lưu các trạng thái ẩn này mà chưa lấy trung bình" in vi


def test_about_with_the_reports_protocol_and_no_heads(engine):
    """The report's protocol (photos as images, float16) and a server without heads, in both languages."""
    fake = SimpleNamespace(
        limits=engine.limits, windowing=engine.windowing, heads=None, heads_reason=HeadsMissingError.for_visitors,
        heads_notice=f"The MLP method is unavailable here: {HeadsMissingError.for_visitors}. Use the zero-shot method.",
        backbone=SimpleNamespace(source="Qwen/Qwen2.5-VL-7B-Instruct", hidden_size=3584, device="cuda", protocol=REPORT_PROTOCOL),
        warnings=lambda method: [],
    )
    vi, en = about.about_markdown(fake, "vi"), about.about_markdown(fake, "en")
    assert "`Qwen/Qwen2.5-VL-7B-Instruct` (trạng thái ẩn 3584 chiều)" in vi and "(3584-d hidden state)" in en
    assert "(giao thức báo cáo)" in vi and "(report protocol)" in en
    assert 'dưới dạng ảnh với văn bản "Analyze this image."' in vi and 'as an image with the text "Analyze this image."' in en
    assert "Mô hình chạy ở float16 trên GPU" in vi and "runs in float16 on a GPU" in en
    # the report's sizes, from the 7B's published processor files, in words and with each language's separators
    assert "between 3,136 and 12,845,056 pixels (the sizes the report's processor read from the model's published files)" in en
    assert "khoảng 3.136 đến 12.845.056 điểm ảnh (đúng kích thước mà bộ tiền xử lý của báo cáo đọc từ các tệp công bố" in vi
    assert "Đây là giao thức đọc từ mã nguồn của báo cáo" in vi and "This is the protocol read from the report's code" in en
    assert "**Đầu MLP: không có.** Phương pháp MLP không dùng được ở đây: máy chủ này chưa cài đầu MLP nào." in vi
    assert f"**MLP heads: not available.** {fake.heads_notice}" in en
    assert not english_words(vi), english_words(vi)


def test_heads_card_and_metrics_in_both_languages(tmp_path):
    card = new_card(3584, str(tmp_path / "qwen"), source=f"imported from {tmp_path / 'mlp'} (the first report's published checkpoints) by "
                    "`python -m engage import-heads`", trained=True, protocol=REPORT_PROTOCOL, metrics=_metrics(),
                    protocol_source=REPORT_PROTOCOL_SOURCE)
    engine = SimpleNamespace(heads=_heads(card))
    en, vi = about.heads_markdown(engine), about.heads_markdown(engine, "vi")
    # the same numbers as the CLI's and the model card's table (engage.affect.card.metrics_table), headers translated
    assert about.metrics_rows(card) == metrics_table(card)
    assert "\n".join(metrics_table(card)) in en
    rows = about.metrics_rows(card, "vi")
    assert rows[0].startswith("| trạng thái | macro-F1 kiểm định | macro-F1 kiểm tra | QWK kiểm tra |")
    assert rows[2] == "| Chán nản | 0,300 | 0,250 | 0,125 | 0,350 | 0,450 | 0,150 | 0,000 | 0,250 | 0,350 | 1784 |"
    assert [r.count("|") for r in rows] == [12] * 6
    # where the heads and their protocol come from, in words, without a server path
    for md in (en, vi):
        assert str(tmp_path) not in md and "qwen" in md and "mlp" in md
    assert "Source: the first report's published checkpoints (a local checkpoint (mlp)), imported by engage." in en
    assert "Nguồn: các checkpoint mà báo cáo thứ nhất công bố (bản lưu mô hình cục bộ (mlp)), do engage nhập về." in vi
    assert "Feature protocol: **report**, read from the report's code" in en and "saved the hidden states without pooling them" in en
    assert "Giao thức đặc trưng: **báo cáo**, đọc từ mã nguồn của báo cáo" in vi
    assert "untrained" not in en and not english_words(vi), english_words(vi)


def test_untrained_heads_and_unknown_reasons():
    card = new_card(64, "engage tiny test backbone", source="random initialisation (seed 0), for tests only", trained=False,
                    protocol_source="engage's default, given at random initialisation")
    vi = about.heads_markdown(SimpleNamespace(heads=_heads(card)), "vi")
    assert "Các đầu MLP này là trọng số ngẫu nhiên chưa huấn luyện" in vi and "Nguồn: khởi tạo ngẫu nhiên, chỉ dùng để kiểm thử." in vi
    assert "| Bực bội | – | – |" in vi
    # a reason engage has no words for is shown as the engine words it (escaped)
    md = about.heads_markdown(SimpleNamespace(heads=None, heads_reason="<odd>", heads_notice="MLP off: <odd>"), "vi")
    assert md == "**Đầu MLP: không có.** MLP off: &lt;odd&gt;"
    none = about.heads_markdown(SimpleNamespace(heads=None, heads_reason=None, heads_notice="x"), "vi")
    assert "chưa nạp đầu MLP nào" in none


@pytest.mark.parametrize("lang, words", [("en", "a local checkpoint"), ("vi", "bản lưu mô hình cục bộ")])
def test_the_backbone_never_shows_a_server_path(tmp_path, lang, words):
    assert about.backbone_label("Qwen/Qwen2.5-VL-7B-Instruct", lang) == "Qwen/Qwen2.5-VL-7B-Instruct"
    folder = tmp_path / "models" / "qwen-7b"
    folder.mkdir(parents=True)
    for source in (str(folder), str(folder) + "/", os.path.relpath(folder)):
        label = about.backbone_label(source, lang)
        assert label == f"{words} (qwen-7b)" and str(tmp_path) not in label and "/" not in label


def test_a_card_written_with_the_older_wording_of_the_reports_source_reads_the_same(tmp_path):
    """REPORT_PROTOCOL_SOURCE now says the video notebook saved the hidden states unpooled; cards written with its
    older wording ("then averages hidden_states[-1]") keep their words in both languages."""
    from engage.model.protocol import LEGACY_REPORT_PROTOCOL_SOURCES

    def card(source: str) -> dict:
        return new_card(3584, "Qwen/Qwen2.5-VL-7B-Instruct", source="random initialisation", trained=False,
                        protocol=REPORT_PROTOCOL, metrics=_metrics(), protocol_source=source)

    for lang in ("en", "vi"):
        now = about.heads_markdown(SimpleNamespace(heads=_heads(card(REPORT_PROTOCOL_SOURCE))), lang)
        for legacy in LEGACY_REPORT_PROTOCOL_SOURCES:
            assert about.heads_markdown(SimpleNamespace(heads=_heads(card(legacy))), lang) == now
        assert "hidden_states" not in now
