"""The category classifier and keyword rules (trained on our demo corpus, no network)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from minyi.routing.adapters.models import load_model, save_model
from minyi.routing.adapters.reference import read_rules
from minyi.routing.domain.classifier import KeywordRules, TextClassifier, char_ngrams, normalize

DATA = Path(__file__).resolve().parents[2] / "src" / "minyi" / "routing" / "data"
CATEGORIES = {
    "城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生",
    "农村农业", "民政", "政法", "经济管理", "国土资源", "科技与信息产业", "党务政务", "纪检监察",
}  # fmt: skip


def corpus() -> list[dict[str, str]]:
    with (DATA / "demo_corpus.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def demo_model() -> TextClassifier:
    rows = corpus()
    return TextClassifier.train(
        [f"{r['title']}\n{r['content']}" for r in rows], [r["category"] for r in rows], "demo-test"
    )


def test_demo_corpus_covers_all_fifteen_categories_with_enough_rows() -> None:
    counts: dict[str, int] = {}
    for row in corpus():
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    assert set(counts) == CATEGORIES
    assert min(counts.values()) >= 25


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("东宝区象山大道烧烤店油烟熏得人睁不开眼，晚上窗户都不敢开", "环境保护"),
        ("掇刀区工地老板拖欠我们三个月工资不给，请帮忙讨薪", "劳动和社会保障"),
        ("钟祥市郢中街道到胡集镇的公交车太少，希望增加班次", "交通运输"),
        ("京山市一名村支书虚报冒领扶贫资金，请纪委调查", "纪检监察"),
        ("沙洋县后港镇村里手机信号太差，孩子上网课断线", "科技与信息产业"),
        ("漳河新区有人在汉江边夜里非法采砂", "国土资源"),
    ],
)
def test_the_demo_model_classifies_obvious_examples_right(text: str, expected: str) -> None:
    prediction = demo_model().predict(text)
    assert prediction.category == expected, prediction.explanation


def test_a_prediction_explains_itself_with_features_found_in_the_text() -> None:
    text = "屈家岭管理区养猪场粪污直排进水塘，臭味弥漫整个村子"
    prediction = demo_model().predict(text)
    assert prediction.top_features
    assert all(feature in normalize(text) for feature in prediction.top_features)
    assert 0.0 < prediction.confidence <= 1.0
    assert prediction.model_version == "demo-test"
    assert prediction.rule is None


def test_confidence_is_lower_for_text_with_nothing_to_go_on() -> None:
    model = demo_model()
    clear = model.predict("拖欠农民工工资，劳动监察部门帮忙讨薪，社保不交")
    vague = model.predict("你好")
    assert vague.confidence < clear.confidence


def test_keyword_rule_pins_the_category() -> None:
    rules = KeywordRules({"纪检监察": ["公车私用"], "交通运输": ["公车"]})
    model = demo_model().with_rules(rules)
    prediction = model.predict("东宝区城管局干部周末公车私用接送孩子")
    assert prediction.category == "纪检监察"
    assert prediction.confidence == 1.0
    assert prediction.rule == "公车私用"  # the longer keyword wins over "公车"
    assert "公车私用" in prediction.explanation


def test_regex_rules_and_no_match_fall_back_to_the_model() -> None:
    rules = KeywordRules({"国土资源": ["征地补偿款"], "纪检监察": [r"re:截留.{0,4}补偿款"]})
    match = rules.match("村会计截留征地补偿款")
    assert match is not None and match.category == "纪检监察"  # the specific regex first
    assert rules.match("征地标准太低") is None
    model = demo_model().with_rules(rules)
    assert model.predict("征地标准太低").rule is None


def test_shipped_keyword_rules_name_only_known_categories() -> None:
    rules = read_rules(DATA.parent / "reference" / "keyword_rules.json")
    assert len(rules) > 30
    assert rules.categories() <= CATEGORIES


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path: Path) -> None:
    model = demo_model()
    path = tmp_path / "model.npz"
    save_model(model, path)
    loaded = load_model(path)
    texts = [r["title"] for r in corpus()[:40]] + ["", "ＡＢＣ全角字母"]
    for text in texts:
        assert np.allclose(loaded.scores(text), model.scores(text), atol=1e-6)
        assert loaded.predict(text) == model.predict(text)
    assert loaded.version == "demo-test"


def test_loading_something_that_is_not_a_model_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    with path.open("wb") as f:
        np.savez(f, meta=np.array('{"format": "other"}'))
    with pytest.raises(ValueError, match="not a"):
        load_model(path)


def test_inference_matches_scikit_learn_on_the_same_features() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = corpus()
    texts = [r["title"] for r in rows]
    model = TextClassifier.train(texts, [r["category"] for r in rows], "v")
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=normalize)
    vectorizer.fit(texts)
    assert sorted(vectorizer.vocabulary_) == sorted(model.vocabulary)
    assert char_ngrams("ab c", (1, 2)) == ["a", "b", " ", "c", "ab", "b ", " c"]


def test_training_needs_two_categories() -> None:
    with pytest.raises(ValueError):
        TextClassifier.train(["一", "二"], ["民政", "民政"], "v")
