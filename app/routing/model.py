"""The routing model: which body answers a text, and which earlier public answers resemble it.

A model is plain arrays (IDF weights, one weight row per body, the vectors of the published
answers it may point citizens to) saved with ``numpy.savez`` and read back with
``allow_pickle=False``: a stored blob can never run code when loaded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC

from app.routing.text import fit_idf, term_counts, vectorize


class ClassifierKind(StrEnum):
    """How body scores are computed (``benchmarks/routing.py`` compares them)."""

    CENTROID = "centroid"  # cosine to each body's mean vector
    # One-vs-rest linear SVM, scores a softmax of its margins. The default: same top-1 as the
    # centroids on the benchmark, better top-3 (benchmarks/README.md).
    LINEAR_SVM = "svm"


@dataclass(frozen=True)
class Example:
    text: str
    body: str


@dataclass(frozen=True)
class PublicAnswer:
    """A published answer a citizen may be pointed to (only ids: the text is read at query time)."""

    petition_id: int
    text: str


@dataclass(frozen=True)
class Scored:
    key: str | int
    score: float


@dataclass
class RoutingModel:
    kind: ClassifierKind
    idf: np.ndarray
    weights: sparse.csr_matrix  # one row per body
    intercept: np.ndarray
    bodies: list[str]
    public_vectors: sparse.csr_matrix
    public_ids: np.ndarray

    def vectors(self, texts: list[str]) -> sparse.csr_matrix:
        return vectorize(texts, self.idf)

    def body_scores(self, text: str, limit: int = 3) -> list[Scored]:
        """The ``limit`` most likely competent bodies, best first."""
        if not self.bodies or not text.strip():
            return []
        logits = _scores(self._weights_by_term, self.vectors([text])) + self.intercept
        if self.kind is ClassifierKind.LINEAR_SVM:
            exp = np.exp(logits - logits.max())
            logits = exp / exp.sum()
        order = np.argsort(-logits)[:limit]
        return [Scored(self.bodies[i], round(float(logits[i]), 4)) for i in order]

    def similar_public(self, text: str, limit: int, min_score: float) -> list[Scored]:
        """Ids of published answers whose petition resembles ``text``, most similar first."""
        if self.public_vectors.shape[0] == 0 or not text.strip():
            return []
        scores = _scores(self._public_by_term, self.vectors([text]))
        candidates = np.flatnonzero(scores >= min_score)
        best = candidates[np.argsort(-scores[candidates])][:limit]
        return [Scored(int(self.public_ids[i]), round(float(scores[i]), 4)) for i in best]

    def __post_init__(self) -> None:
        # Column-major copies: a query touches only the columns of its own n-grams (~100 of
        # 2**18), so scoring reads those columns instead of multiplying whole matrices.
        self._weights_by_term = self.weights.tocsc()
        self._public_by_term = self.public_vectors.tocsc()

    # Serialization ------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer, kind=np.array(str(self.kind)), idf=self.idf, intercept=self.intercept,
            bodies=np.array(self.bodies, dtype=str), public_ids=self.public_ids,
            **_csr_arrays("weights", self.weights), **_csr_arrays("public", self.public_vectors),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> RoutingModel:
        with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
            return cls(
                kind=ClassifierKind(str(arrays["kind"])), idf=arrays["idf"],
                weights=_csr_from(arrays, "weights"), intercept=arrays["intercept"],
                bodies=[str(b) for b in arrays["bodies"]],
                public_vectors=_csr_from(arrays, "public"), public_ids=arrays["public_ids"],
            )


def _scores(by_term: sparse.csc_matrix, query: sparse.csr_matrix) -> np.ndarray:
    """``matrix @ query`` for one query row, reading only the query's columns."""
    return np.asarray(by_term[:, query.indices] @ query.data).ravel()


def _csr_arrays(name: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {f"{name}_data": matrix.data, f"{name}_indices": matrix.indices,
            f"{name}_indptr": matrix.indptr, f"{name}_shape": np.array(matrix.shape)}


def _csr_from(arrays: np.lib.npyio.NpzFile, name: str) -> sparse.csr_matrix:
    shape = tuple(int(n) for n in arrays[f"{name}_shape"])
    return sparse.csr_matrix(
        (arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]), shape=shape
    )


def train(
    examples: list[Example], public: list[PublicAnswer], kind: ClassifierKind = ClassifierKind.LINEAR_SVM
) -> RoutingModel:
    """Fit IDF weights on every text seen, then the body classifier on the labelled examples.

    Works from one example on: with a single body the classifier is that body's centroid
    (an SVM needs two classes).
    """
    texts = [e.text for e in examples] + [p.text for p in public]
    idf = fit_idf(term_counts(texts)) if texts else np.ones(1, dtype=np.float32)
    bodies = sorted({e.body for e in examples})
    if len(bodies) < 2 and kind is ClassifierKind.LINEAR_SVM:
        kind = ClassifierKind.CENTROID
    weights, intercept = _fit(kind, vectorize([e.text for e in examples], idf) if examples else None,
                              [e.body for e in examples], bodies, idf.shape[0])
    public_vectors = vectorize([p.text for p in public], idf) if public else sparse.csr_matrix((0, idf.shape[0]), dtype=np.float32)
    return RoutingModel(
        kind=kind, idf=idf, weights=weights, intercept=intercept, bodies=bodies,
        public_vectors=public_vectors, public_ids=np.array([p.petition_id for p in public], dtype=np.int64),
    )


def _fit(
    kind: ClassifierKind, vectors: sparse.csr_matrix | None, labels: list[str], bodies: list[str], width: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    if vectors is None:
        return sparse.csr_matrix((0, width), dtype=np.float32), np.zeros(0, dtype=np.float32)
    if kind is ClassifierKind.LINEAR_SVM:
        classifier = LinearSVC(C=1.0)
        classifier.fit(vectors, labels)
        coef = classifier.coef_ if len(bodies) > 2 else np.vstack([-classifier.coef_, classifier.coef_])
        intercept = classifier.intercept_ if len(bodies) > 2 else np.array([-classifier.intercept_[0], classifier.intercept_[0]])
        # Weights of n-grams never seen in training stay exactly zero: the matrix stays sparse.
        return sparse.csr_matrix(coef.astype(np.float32)), intercept.astype(np.float32)
    label_array = np.array(labels)
    rows = [sparse.csr_matrix(vectors[label_array == body].mean(axis=0)) for body in bodies]
    centroids = sparse.vstack(rows).tocsr()
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1))).ravel()
    centroids = sparse.diags(1 / np.maximum(norms, 1e-12)) @ centroids
    return centroids.astype(np.float32).tocsr(), np.zeros(len(bodies), dtype=np.float32)
