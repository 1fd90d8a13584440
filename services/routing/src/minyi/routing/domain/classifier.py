"""Chinese text classifier for first-level categories, plus keyword rules that pin a case.

Training uses scikit-learn (character n-gram TF-IDF + linear SVM). A model is plain arrays
and a vocabulary (``to_arrays``; ``adapters.models`` keeps them in one ``.npz`` file), and
inference is re-implemented here with numpy: loading needs no pickle (a model file is data,
not code), loads in well under a second, and one prediction is a few dictionary look-ups and
a small dot product.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FORMAT = "minyi-linear-char-ngram/1"
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Prediction:
    category: str  # first-level category, e.g. "城乡建设"
    confidence: float  # 0..1, temperature-scaled softmax of the decision scores
    top_features: list[str]  # n-grams (or the rule) that pushed the decision most
    model_version: str
    rule: str | None = None  # set when a keyword rule pinned the category
    # The best categories with their probabilities, best first (the triage candidates).
    ranking: tuple[tuple[str, float], ...] = ()

    @property
    def explanation(self) -> str:
        if self.rule is not None:
            return f"关键词规则“{self.rule}”命中，归类为“{self.category}”"
        words = "、".join(self.top_features) or "无"
        return (
            f"模型 {self.model_version} 归类为“{self.category}”"
            f"（置信度 {self.confidence:.2f}，主要依据：{words}）"
        )


def normalize(text: str) -> str:
    """NFKC folds full-width letters/digits onto ASCII; every whitespace run becomes one space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).lower())


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """The same n-grams as scikit-learn's ``analyzer="char"`` on normalised text."""
    lo, hi = ngram_range
    n_chars = len(text)
    return [text[i : i + n] for n in range(lo, hi + 1) for i in range(n_chars - n + 1)]


@dataclass(frozen=True)
class KeywordRule:
    category: str
    pattern: str  # literal keyword, or a regex when written as "re:<regex>"
    _regex: re.Pattern[str] | None = None

    def matches(self, text: str) -> bool:
        if self._regex is not None:
            return self._regex.search(text) is not None
        return self.pattern in text


class KeywordRules:
    """High-precision rules: the first that matches pins the category with confidence 1.0.

    Regexes (written deliberately, for a specific pattern) are tried first in file order,
    then literal keywords longest first (so "公车私用" wins over "公车"). Keep rules few and
    specific: a rule overrides the model, right or wrong.
    """

    def __init__(self, rules: Mapping[str, Sequence[str]]) -> None:
        literal: list[KeywordRule] = []
        regex: list[KeywordRule] = []
        for category, patterns in rules.items():
            for p in patterns:
                if p.startswith("re:"):
                    regex.append(KeywordRule(category, p, re.compile(p[3:])))
                else:
                    literal.append(KeywordRule(category, normalize(p)))
        literal.sort(key=lambda r: -len(r.pattern))
        self._rules = regex + literal
        self._regex = regex
        # (keyword, rule): a substring test each, without a method call each (every filing
        # is tried against every keyword).
        self._literal = [(r.pattern, r) for r in literal]

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> KeywordRules:
        """Accepts ``{"rules": {category: [...]}}`` (with a note) or a bare mapping (the
        file is read by ``adapters.reference``)."""
        rules = doc.get("rules", doc)
        return cls({str(k): [str(p) for p in v] for k, v in rules.items() if isinstance(v, list)})

    def __len__(self) -> int:
        return len(self._rules)

    def match(self, text: str) -> KeywordRule | None:
        return self.match_normalized(normalize(text))

    def match_normalized(self, normalized: str) -> KeywordRule | None:
        """``match`` of a text ``normalize`` has already normalised."""
        for rule in self._regex:
            if rule.matches(normalized):
                return rule
        for keyword, rule in self._literal:
            if keyword in normalized:
                return rule
        return None

    def categories(self) -> set[str]:
        return {r.category for r in self._rules}


@dataclass(frozen=True)
class TrainingConfig:
    ngram_range: tuple[int, int] = (1, 2)
    sublinear_tf: bool = False
    C: float = 1.0
    top_k: int = 5  # features kept for the explanation


class TextClassifier:
    """Linear model over character n-gram TF-IDF; optionally fronted by keyword rules."""

    def __init__(
        self,
        *,
        classes: Sequence[str],
        vocabulary: Sequence[str],
        idf: NDArray[np.float32],
        coef: NDArray[np.float32],
        intercept: NDArray[np.float32],
        temperature: float,
        ngram_range: tuple[int, int],
        sublinear_tf: bool,
        version: str,
        top_k: int = 5,
        rules: KeywordRules | None = None,
    ) -> None:
        self.classes = list(classes)
        self.vocabulary = list(vocabulary)
        self._index = {term: i for i, term in enumerate(self.vocabulary)}
        self._idf = idf.astype(np.float32)
        # Stored feature-major so one prediction slices contiguous rows of few features.
        self._coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self._intercept = intercept.astype(np.float32)
        self.temperature = float(temperature)
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.version = version
        self.top_k = top_k
        self.rules = rules

    # --- training -------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        version: str,
        config: TrainingConfig | None = None,
    ) -> TextClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.svm import LinearSVC

        cfg = config or TrainingConfig()
        if len(texts) != len(labels) or not texts:
            raise ValueError("texts and labels must be non-empty and of the same length")
        if len(set(labels)) < 2:
            raise ValueError("need at least two categories to train")
        vectorizer = TfidfVectorizer(
            analyzer="char",
            ngram_range=cfg.ngram_range,
            sublinear_tf=cfg.sublinear_tf,
            preprocessor=normalize,
            dtype=np.float32,
        )
        x = vectorizer.fit_transform(texts)
        y = np.asarray(labels)
        # A fixed seed: liblinear shuffles, and the shipped model must be reproducible.
        svm = LinearSVC(C=cfg.C, random_state=0)
        svm.fit(x, y)

        # Temperature for the softmax fitted on out-of-fold scores of the training data
        # only, so the confidence compared with the triage threshold is not overconfident.
        min_count = min(Counter(labels).values())
        temperature = 1.0
        if min_count >= 3:
            folds = StratifiedKFold(n_splits=min(5, min_count), shuffle=True, random_state=0)
            oof = cross_val_predict(
                LinearSVC(C=cfg.C, random_state=0), x, y, cv=folds, method="decision_function"
            )
            col = {c: i for i, c in enumerate(svm.classes_)}
            temperature = _fit_temperature(np.asarray(oof), np.array([col[v] for v in y]))

        vocab = [""] * len(vectorizer.vocabulary_)
        for term, i in vectorizer.vocabulary_.items():
            vocab[i] = term
        coef = np.asarray(svm.coef_, dtype=np.float32)
        intercept = np.asarray(svm.intercept_, dtype=np.float32)
        if len(svm.classes_) == 2:  # binary LinearSVC keeps one row: make it symmetric
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
        return cls(
            classes=[str(c) for c in svm.classes_],
            vocabulary=vocab,
            idf=np.asarray(vectorizer.idf_, dtype=np.float32),
            coef=coef,
            intercept=intercept,
            temperature=temperature,
            ngram_range=cfg.ngram_range,
            sublinear_tf=cfg.sublinear_tf,
            version=version,
            top_k=cfg.top_k,
        )

    def with_rules(self, rules: KeywordRules | None) -> TextClassifier:
        clone = object.__new__(TextClassifier)
        clone.__dict__.update(self.__dict__)
        clone.rules = rules
        return clone

    # --- inference ------------------------------------------------------------------
    def _features(self, normalized: str) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The TF-IDF vector of a ``normalize``d text: its vocabulary indices and weights."""
        # ``map`` and ``Counter`` count in C; a generator with a lookup per n-gram took
        # 150 µs a text against 130 (3,000 loadgen texts), and a numpy lookup of coded
        # n-grams (``searchsorted``, ``unique``) 95–110 µs against 100–115: not worth it.
        counts = Counter(map(self._index.get, char_ngrams(normalized, self.ngram_range)))
        counts.pop(None, None)
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        if self.sublinear_tf:
            tf = (1.0 + np.log(tf)).astype(np.float32)
        w = tf * self._idf[idx]
        return idx, w / np.float32(np.linalg.norm(w))

    def scores(self, text: str) -> NDArray[np.float32]:
        """Raw decision scores per class (same order as ``classes``)."""
        idx, w = self._features(normalize(text))
        result: NDArray[np.float32] = w @ self._coef_t[idx] + self._intercept
        return result

    def predict(self, text: str, ranked: int = 3) -> Prediction:
        normalized = normalize(text)  # once, for the rules and the model
        if self.rules is not None and (rule := self.rules.match_normalized(normalized)):
            return Prediction(
                rule.category,
                1.0,
                [rule.pattern],
                self.version,
                rule=rule.pattern,
                ranking=((rule.category, 1.0),),
            )
        idx, w = self._features(normalized)
        contrib = w[:, None] * self._coef_t[idx]  # (n_features_in_text, n_classes)
        scores = contrib.sum(axis=0) + self._intercept
        best = int(np.argmax(scores))
        z = (scores - scores[best]) / self.temperature
        probs = np.exp(z)
        probs /= probs.sum()
        pushes = contrib[:, best]
        order = np.argsort(-pushes)[: self.top_k]
        top = [self.vocabulary[idx[i]] for i in order if pushes[i] > 0]
        ranking = tuple(
            (self.classes[int(i)], round(float(probs[i]), 4)) for i in np.argsort(-probs)[:ranked]
        )
        return Prediction(
            self.classes[best], float(probs[best]), top, self.version, ranking=ranking
        )

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]

    # --- persistence (the file itself is written and read by ``adapters.models``) ----
    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The model as named arrays: metadata and vocabulary as JSON strings, no pickle."""
        meta = {
            "format": FORMAT,
            "version": self.version,
            "classes": self.classes,
            "ngram_range": list(self.ngram_range),
            "sublinear_tf": self.sublinear_tf,
            "temperature": self.temperature,
            "top_k": self.top_k,
        }
        return {
            "meta": np.array(json.dumps(meta, ensure_ascii=False)),
            "vocabulary": np.array(json.dumps(self.vocabulary, ensure_ascii=False)),
            "idf": self._idf,
            "coef": self._coef_t.T,
            "intercept": self._intercept,
        }

    @classmethod
    def from_arrays(
        cls, data: Mapping[str, NDArray[Any]], rules: KeywordRules | None = None, origin: str = ""
    ) -> TextClassifier:
        """The model ``to_arrays`` gave; ``origin`` (a file name) prefixes a format error."""
        meta: dict[str, Any] = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{origin}: not a {FORMAT} model (got {meta.get('format')!r})")
        vocabulary = json.loads(str(data["vocabulary"]))
        lo, hi = meta["ngram_range"]
        return cls(
            classes=meta["classes"],
            vocabulary=vocabulary,
            idf=data["idf"],
            coef=data["coef"],
            intercept=data["intercept"],
            temperature=float(meta["temperature"]),
            ngram_range=(int(lo), int(hi)),
            sublinear_tf=bool(meta["sublinear_tf"]),
            version=str(meta["version"]),
            top_k=int(meta.get("top_k", 5)),
            rules=rules,
        )


def _fit_temperature(scores: NDArray[Any], y: NDArray[np.intp]) -> float:
    """Scalar T minimising the negative log-likelihood of softmax(scores / T)."""

    def nll(t: float) -> float:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    # Golden-section search on log T: NLL is unimodal in T for a fixed score matrix.
    lo, hi = math.log(0.01), math.log(10.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(math.exp(a)), nll(math.exp(b))
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(math.exp(b))
    return math.exp((lo + hi) / 2)
