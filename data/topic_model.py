"""The topic-suggestion model: TF-IDF of words and characters, one linear classifier per topic.

Offline and small (scikit-learn only). A trained model is plain arrays and lists (`to_arrays`
/ `from_arrays`): the vocabularies, idf weights, coefficients, calibration and the cuts — nothing
that loading could turn into code (no pickle).
"""
from __future__ import annotations

import functools
import io
import json
import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

# A topic with fewer tagged examples than this is not learned, so it is never suggested.
MIN_EXAMPLES = 5
# A topic with fewer tagged examples than this is rare: its calibrated probabilities stay near its low
# base rate, so the common cut would almost never let it through; its cut is lowered (on the dev split
# macro-F1 +0.026, micro-F1 unchanged).
RARE_EXAMPLES = 50
RARE_CUT_FACTOR = 0.7
INNER_FOLDS = 4
STEMMER_LANGUAGES = {"fi": "finnish", "sv": "swedish", "en": "english"}
WORD = re.compile(r"(?u)\b\w\w+\b|[!?]")


@dataclass(frozen=True)
class Example:
    """One comment as the model sees it: its text and the context a reader also has."""

    text: str
    question: str = ""
    sentiment: str = ""
    language: str = "fi"


@dataclass(frozen=True)
class Settings:
    c: float = 0.5
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    context_weight: float = 1.0
    min_examples: int = MIN_EXAMPLES
    inner_folds: int = INNER_FOLDS
    seed: int = 19


@functools.lru_cache(maxsize=8)
def _stemmer(language: str):
    import snowballstemmer

    stemmer = snowballstemmer.stemmer(STEMMER_LANGUAGES.get(language, "finnish"))
    # The Snowball stemmers are pure Python (~0.3 ms a word): each word is stemmed once per process.
    return functools.lru_cache(maxsize=200_000)(stemmer.stemWord)


def words(example: Example) -> str:
    """The comment's words, lower-cased and stemmed in its own language (Finnish inflects heavily)."""
    stem = _stemmer(example.language)
    return " ".join(stem(token) for token in WORD.findall(example.text.lower()))


def context_tokens(example: Example) -> str:
    """The question asked and the sentiment given, as tokens: 'No' means one thing to 'How could we
    improve?' and another to 'What was good?'."""
    question = "q_" + re.sub(r"\W+", "_", example.question.strip().lower())[:40] if example.question else "q_none"
    sentiment = f"s_{example.sentiment.strip() or 'none'}"
    return f"{question} {sentiment} {question}__{sentiment}"


def _word_vectoriser(settings: Settings) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=settings.word_ngrams,
                           sublinear_tf=True, min_df=1, lowercase=False, dtype=np.float32)


def _char_vectoriser(settings: Settings) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams, sublinear_tf=True,
                           min_df=2, lowercase=True, dtype=np.float32)


def _context_vectoriser() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", token_pattern=r"\S+", lowercase=False, use_idf=False,
                           norm="l2", dtype=np.float32)


@dataclass
class Features:
    """The three vectorisers, fitted together."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    context: TfidfVectorizer
    context_weight: float

    @classmethod
    def fit(cls, examples: list[Example], settings: Settings) -> "Features":
        features = cls(_word_vectoriser(settings), _char_vectoriser(settings), _context_vectoriser(),
                       settings.context_weight)
        features.word.fit([words(e) for e in examples])
        features.char.fit([e.text for e in examples])
        features.context.fit([context_tokens(e) for e in examples])
        return features

    def transform(self, examples: list[Example]):
        blocks = [
            self.word.transform([words(e) for e in examples]),
            self.char.transform([e.text for e in examples]),
            self.context.transform([context_tokens(e) for e in examples]) * self.context_weight,
        ]
        return sparse.hstack(blocks).tocsr()


def suggested_matrix(margins: np.ndarray) -> np.ndarray:
    """Which topics are suggested: those over the cut, or else the surest one."""
    chosen = margins >= 0
    none = ~chosen.any(axis=1)
    chosen[none, np.argmax(margins[none], axis=1)] = True
    return chosen


def calibrate(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """A topic's classifier scores turned into probabilities (Platt): the slope and bias of a logistic
    fit of held-out scores to the truth, so that the topics' scores become comparable."""
    if truth.all() or not truth.any():
        return 0.0, 10.0 if truth.all() else -10.0
    fit = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1), truth)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


CUTS = np.round(np.arange(0.2, 0.601, 0.025), 3)


def best_cut(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """The one probability above which topics are suggested: the cut that gives the best F1 over all
    tags on held-out probabilities (one cut for all topics is steadier than a noisy cut per topic)."""
    if not truth.size:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for cut in CUTS:
        chosen = suggested_matrix(probabilities - cut)
        f1 = 2 * (chosen & truth).sum() / (chosen.sum() + truth.sum())
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(cut), f1
    return best


def topic_cuts(cut: float, examples: np.ndarray) -> np.ndarray:
    """Each topic's cut: the common one, lowered for a rare topic (fewer than RARE_EXAMPLES tags)."""
    return np.where(examples < RARE_EXAMPLES, cut * RARE_CUT_FACTOR, cut).astype(np.float32)


def _classifier(settings: Settings) -> LinearSVC:
    return LinearSVC(C=settings.c, class_weight="balanced", max_iter=5000)


def _fit_weights(matrix, truth: np.ndarray, settings: Settings) -> tuple[np.ndarray, float]:
    model = _classifier(settings).fit(matrix, truth)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


@dataclass
class TopicModel:
    """A trained model: per learned topic a weight vector, an intercept, a calibration and a cut."""

    topics: list[str]
    features: Features
    weights: np.ndarray  # topics × features
    intercepts: np.ndarray
    slopes: np.ndarray  # calibration: probability = expit(slope · score + bias)
    biases: np.ndarray
    cuts: np.ndarray  # the probability over which a topic is suggested
    examples: dict[str, int] = field(default_factory=dict)

    def scores(self, examples: list[Example]) -> np.ndarray:
        matrix = self.features.transform(examples)
        return np.asarray(matrix @ self.weights.T) + self.intercepts

    def probabilities(self, examples: list[Example]) -> np.ndarray:
        """Each topic's calibrated probability for each comment."""
        return expit(self.scores(examples) * self.slopes + self.biases)

    def suggest(self, examples: list[Example]) -> list[list[tuple[str, float]]]:
        """Per comment the topics over their cut, surest first (at least the surest one)."""
        if not self.topics:
            return [[] for _ in examples]
        probabilities = self.probabilities(examples)
        chosen = suggested_matrix(probabilities - self.cuts)
        suggested = []
        for row_probabilities, row_chosen in zip(probabilities, chosen):
            order = [i for i in np.argsort(-row_probabilities) if row_chosen[i]]
            suggested.append([(self.topics[i], float(row_probabilities[i])) for i in order])
        return suggested

    def to_arrays(self) -> tuple[dict, bytes]:
        """The model as JSON-able metadata and an .npz of plain arrays (loaded with allow_pickle=False)."""
        meta = {
            "topics": self.topics, "examples": self.examples,
            "context_weight": self.features.context_weight,
            "word": _vectoriser_meta(self.features.word),
            "char": _vectoriser_meta(self.features.char),
            "context": _vectoriser_meta(self.features.context),
        }
        buffer = io.BytesIO()
        np.savez_compressed(buffer, weights=self.weights.astype(np.float32), intercepts=self.intercepts,
                            slopes=self.slopes, biases=self.biases, cuts=self.cuts, word_idf=self.features.word.idf_,
                            char_idf=self.features.char.idf_)
        return meta, buffer.getvalue()

    @classmethod
    def from_arrays(cls, meta: dict, blob: bytes) -> "TopicModel":
        arrays = np.load(io.BytesIO(blob), allow_pickle=False)
        features = Features(_restore(_word_vectoriser(Settings()), meta["word"], arrays["word_idf"]),
                            _restore(_char_vectoriser(Settings()), meta["char"], arrays["char_idf"]),
                            _restore(_context_vectoriser(), meta["context"], None),
                            float(meta["context_weight"]))
        if "slopes" in arrays:
            slopes, biases, cuts = arrays["slopes"], arrays["biases"], arrays["cuts"]
        else:
            # A model stored before calibration had a threshold per topic: the same suggestions and
            # confidences as it gave then (expit(2 · margin), over the threshold at one half).
            slopes = np.full_like(arrays["thresholds"], 2.0)
            biases, cuts = -2.0 * arrays["thresholds"], np.full_like(arrays["thresholds"], 0.5)
        return cls(list(meta["topics"]), features, arrays["weights"], arrays["intercepts"],
                   slopes, biases, cuts, dict(meta.get("examples", {})))


def _vectoriser_meta(vectoriser: TfidfVectorizer) -> dict:
    terms = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.get)
    return {"terms": terms, "ngram_range": list(vectoriser.ngram_range)}


def _restore(vectoriser: TfidfVectorizer, meta: dict, idf) -> TfidfVectorizer:
    vectoriser.set_params(ngram_range=tuple(meta["ngram_range"]))
    vectoriser.vocabulary_ = {term: index for index, term in enumerate(meta["terms"])}
    # The weighting step a fitted vectoriser keeps, rebuilt from its settings and the stored idf.
    vectoriser._tfidf = TfidfTransformer(norm=vectoriser.norm, use_idf=vectoriser.use_idf,
                                         smooth_idf=vectoriser.smooth_idf, sublinear_tf=vectoriser.sublinear_tf)
    vectoriser._tfidf.n_features_in_ = len(vectoriser.vocabulary_)
    if idf is not None:
        vectoriser._tfidf.idf_ = np.asarray(idf)  # the dtype it was trained with, so scores match exactly
    return vectoriser


def learned_topics(labels: list[set[str]], minimum: int) -> list[str]:
    """The topics with enough tagged examples to be learned, most common first."""
    counts: dict[str, int] = {}
    for topic_set in labels:
        for topic in topic_set:
            counts[topic] = counts.get(topic, 0) + 1
    return [topic for topic, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n >= minimum]


def train(examples: list[Example], labels: list[set[str]], settings: Settings = Settings()) -> TopicModel:
    """Learn a topic model from tagged comments; calibration and the cut come from inner cross-validation."""
    topics = learned_topics(labels, settings.min_examples)
    truth = np.array([[topic in topic_set for topic in topics] for topic_set in labels], dtype=bool)
    truth = truth.reshape(len(examples), len(topics))
    features = Features.fit(examples, settings)
    matrix = features.transform(examples)
    held_out = _inner_scores(examples, truth, settings)
    weights, intercepts, calibration = [], [], []
    for column in range(len(topics)):
        coef, intercept = _fit_weights(matrix, truth[:, column], settings)
        weights.append(coef)
        intercepts.append(intercept)
        calibration.append(calibrate(held_out[:, column], truth[:, column]))
    slopes = np.array([slope for slope, _ in calibration], np.float32)
    biases = np.array([bias for _, bias in calibration], np.float32)
    cuts = topic_cuts(best_cut(expit(held_out * slopes + biases), truth), truth.sum(axis=0))
    width = matrix.shape[1]
    return TopicModel(topics, features,
                      np.vstack(weights) if weights else np.zeros((0, width), np.float32),
                      np.array(intercepts, np.float32), slopes, biases, cuts,
                      {topic: int(truth[:, i].sum()) for i, topic in enumerate(topics)})


def same_text_groups(examples: list[Example]) -> np.ndarray:
    """A group number per comment, the same for the same text, so that a fold never sees its own answer."""
    first_seen: dict[str, int] = {}
    return np.array([first_seen.setdefault(e.text.strip().lower(), len(first_seen)) for e in examples])


def _inner_scores(examples: list[Example], truth: np.ndarray, settings: Settings) -> np.ndarray:
    """Each comment's scores from a model that did not see it (for the calibration and the cut)."""
    scores = np.zeros(truth.shape, dtype=np.float32)
    folds = GroupKFold(n_splits=settings.inner_folds, shuffle=True, random_state=settings.seed)
    for fit_rows, score_rows in folds.split(np.arange(len(examples)), groups=same_text_groups(examples)):
        fit_examples = [examples[i] for i in fit_rows]
        features = Features.fit(fit_examples, settings)
        fit_matrix = features.transform(fit_examples)
        score_matrix = features.transform([examples[i] for i in score_rows])
        for column in range(truth.shape[1]):
            column_truth = truth[fit_rows, column]
            if column_truth.all() or not column_truth.any():
                scores[score_rows, column] = 1.0 if column_truth.all() else -1.0
                continue
            model = _classifier(settings).fit(fit_matrix, column_truth)
            scores[score_rows, column] = model.decision_function(score_matrix)
    return scores


def cross_validated(examples: list[Example], labels: list[set[str]], folds: int = 5,
                    settings: Settings = Settings()) -> list[list[str]]:
    """Each comment's suggestions from a model trained without it (the honest figures on own tags).
    The same text is always in one fold: a repeated "Kiitos!" seen in training would flatter the figures."""
    predicted: list[list[str]] = [[] for _ in examples]
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=settings.seed)
    for fit_rows, test_rows in splitter.split(np.arange(len(examples)), groups=same_text_groups(examples)):
        model = train([examples[i] for i in fit_rows], [labels[i] for i in fit_rows], settings)
        for row, suggestions in zip(test_rows, model.suggest([examples[i] for i in test_rows])):
            predicted[row] = [topic for topic, _ in suggestions]
    return predicted


def dumps_meta(meta: dict) -> str:
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
