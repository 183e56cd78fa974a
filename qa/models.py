"""The learned parts of answering, as fitted weights applied with numpy: the answer type of a
question, the score of a candidate answer sentence, and the probability that the chosen sentences
answer. Fitted by ``qa train`` (``qa.train``, scikit-learn); shipped per embedder in
``qa/models/``, versioned with the embedder that made the vectors they were fitted on."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import QAError

SHIPPED_MODELS = Path(__file__).with_name("models")


def models_dir() -> Path:
    """Where answer models are read and written: $QA_MODELS_DIR, else the ones shipped in the package."""
    return Path(os.environ.get("QA_MODELS_DIR") or SHIPPED_MODELS)


FEATURES_VERSION = 5  # bump when a feature changes: models fitted on other features are refused
ANSWER_TYPES = ("quantity", "money", "date", "list", "reason", "entity", "place", "description", "yesno")
# What a message is (its intent, and for some intents which part of it): a question about the content, a
# question about the document as a whole, small talk, or nothing to do with the document.
INTENT_LABELS = ("question", "off_topic", "document:summary", "document:aim", "document:method",
                 "document:conclusion", "smalltalk:greeting", "smalltalk:thanks", "smalltalk:farewell",
                 "smalltalk:help")


@dataclass(frozen=True)
class Softmax:
    """A multinomial logistic regression: class probabilities of a feature vector."""

    weights: np.ndarray  # (classes, features)
    bias: np.ndarray  # (classes,)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Probabilities of each class (rows of ``features`` give rows of probabilities)."""
        logits = features @ self.weights.T + self.bias
        logits = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Linear:
    """A binary logistic regression: a score (log-odds) and its probability."""

    weights: np.ndarray  # (features,)
    bias: float

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Log-odds of each row."""
        return features @ self.weights + self.bias

    def probability(self, features: np.ndarray) -> np.ndarray:
        """Probability of each row."""
        return 1.0 / (1.0 + np.exp(-self.scores(features)))


@dataclass(frozen=True)
class Network:
    """A small neural network of one hidden layer (ReLU) on standardised features: the probability
    of each row. It sees interactions a linear model cannot (a name missing matters more when the
    similarity is middling)."""

    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    hidden_weights: np.ndarray  # (features, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    out_weights: np.ndarray  # (hidden,)
    out_bias: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        """Probability of each row."""
        hidden = np.maximum(0.0, ((features - self.mean) / self.scale) @ self.hidden_weights + self.hidden_bias)
        return 1.0 / (1.0 + np.exp(-(hidden @ self.out_weights + self.out_bias)))


@dataclass(frozen=True)
class Models:
    """Everything fitted: intent, answer type, sentence ranker, answerability (a small network) and
    its threshold."""

    intent: Softmax
    answer_type: Softmax
    ranker: Linear
    answerability: Network
    threshold: float  # answer when the probability is at least this
    info: dict  # embedder, features version, what it was fitted on

    def save(self, path: Path) -> None:
        """Write the weights (npz, with ``info`` as JSON inside)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(out, intent_w=self.intent.weights.astype(np.float32),
                                intent_b=self.intent.bias.astype(np.float32),
                                type_w=self.answer_type.weights.astype(np.float32),
                                type_b=self.answer_type.bias.astype(np.float32),
                                rank_w=self.ranker.weights, rank_b=np.array([self.ranker.bias]),
                                ok_mean=self.answerability.mean, ok_scale=self.answerability.scale,
                                ok_hidden_w=self.answerability.hidden_weights,
                                ok_hidden_b=self.answerability.hidden_bias, ok_out_w=self.answerability.out_weights,
                                ok_out_b=np.array([self.answerability.out_bias]),
                                threshold=np.array([self.threshold]),
                                info=np.array(json.dumps({**self.info, "features": FEATURES_VERSION})))

    @classmethod
    def load(cls, path: Path) -> "Models":
        """Read weights written by ``save``; a QAError if they are missing or of other features."""
        try:
            with np.load(path) as data:
                info = json.loads(str(data["info"]))
                models = cls(Softmax(data["intent_w"].astype(np.float32), data["intent_b"].astype(np.float32)),
                             Softmax(data["type_w"].astype(np.float32), data["type_b"].astype(np.float32)),
                             Linear(data["rank_w"], float(data["rank_b"][0])),
                             Network(data["ok_mean"], data["ok_scale"], data["ok_hidden_w"], data["ok_hidden_b"],
                                     data["ok_out_w"], float(data["ok_out_b"][0])), float(data["threshold"][0]), info)
        except (OSError, KeyError, ValueError) as error:
            raise QAError(f"cannot read the answer models {path}: run 'qa train'") from error
        if info.get("features") != FEATURES_VERSION:
            raise QAError(f"the answer models {path} were fitted on other features: run 'qa train'")
        return models


def models_path(embedder_identity: str, folder: Path | None = None) -> Path:
    """Where the models fitted for an embedder live (in ``folder``, default ``models_dir()``)."""
    return (folder or models_dir()) / (re.sub(r"[^\w.-]+", "_", embedder_identity).strip("_") + ".npz")


def load_models(embedder_identity: str, folder: Path | None = None) -> Models:
    """The models fitted for ``embedder_identity``; a QAError naming 'qa train' if there are none."""
    path = models_path(embedder_identity, folder)
    if not path.is_file():
        raise QAError(f"no answer models for the embedder {embedder_identity}: run 'qa train --embedder …' "
                      "(it needs the train extra: pip install -e '.[train]')")
    return Models.load(path)
