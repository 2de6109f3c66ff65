"""Text similarity of a role's terms of reference to the experts (scikit-learn TF-IDF).

Fitted once on the experts' summaries; the expertise labels are projected into the same
space. The text criterion of an expert is the best cosine similarity of the role's text
to their summary or to the label of an expertise area they hold, so adding a skill never
lowers it.

A query reads only what it needs: either the CSC columns of the query's terms (when few
experts use those terms) or the CSR rows of the eligible experts (when few experts are
eligible), whichever touches fewer stored values. Both add the same float64 products in
ascending term order, so they give bit-identical results.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import vocabulary as vocab
from matching.index import RosterIndex

# Below this many experts, terms are kept however common: a tiny roster has no stop words.
PRUNE_MIN_EXPERTS = 100


@dataclass(eq=False)
class TextModel:
    """The fitted TF-IDF model and the experts' vectors, by term and by expert."""

    vectorizer: TfidfVectorizer
    analyzer: Callable[[str], list[str]]
    by_term: sp.csc_array
    by_expert: sp.csr_array
    labels: sp.csr_array


def fit_text(
    documents: list[str], skill_columns: dict[str, int], max_features: int
) -> TextModel | None:
    """Fit TF-IDF on the summaries; None when no summary has a single usable term."""
    vectorizer = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float32,
        max_features=max_features,
        max_df=0.5 if len(documents) >= PRUNE_MIN_EXPERTS else 1.0,
    )
    try:
        matrix = sp.csr_array(vectorizer.fit_transform(documents))
    except ValueError:  # empty vocabulary: every summary empty or stop words only
        return None
    vectorizer.stop_words_ = None  # pruned terms are only for introspection, and large
    matrix.sort_indices()
    labels = [""] * len(skill_columns)
    for code, column in skill_columns.items():
        labels[column] = vocab.EXPERTISE_AREAS.get(code, code)
    label_matrix = sp.csr_array(vectorizer.transform(labels))
    label_matrix.sort_indices()
    by_term = sp.csc_array(matrix)
    by_term.sort_indices()
    return TextModel(vectorizer, vectorizer.build_analyzer(), by_term, matrix, label_matrix)


def query_vector(model: TextModel | None, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the sorted term columns and float64 weights of a role's text.

    The same as the vectorizer's ``transform`` (sublinear tf, idf, L2 norm), without its
    milliseconds of set-up per call.
    """
    if model is None or not text:
        return None
    vocabulary = model.vectorizer.vocabulary_
    counts = Counter(vocabulary[t] for t in model.analyzer(text) if t in vocabulary)
    if not counts:
        return None
    terms = np.array(sorted(counts), dtype=np.int64)
    weights = 1.0 + np.log(np.array([counts[t] for t in terms.tolist()], dtype=np.float64))
    weights *= model.vectorizer.idf_[terms]
    return terms, weights / np.linalg.norm(weights)


def _by_rows(matrix: sp.csr_array, dense_query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return ``matrix[rows] @ query``, reading only the stored values of ``rows``.

    scipy's CSR product adds the float64 products of each row in stored (ascending term)
    order, as ``_by_terms`` does.
    """
    return np.asarray(matrix[rows] @ dense_query, dtype=np.float64)


def _by_terms(
    matrix: sp.csc_array, terms: np.ndarray, weights: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Return ``matrix[rows] @ query``, reading only the query's term columns."""
    result = np.zeros(matrix.shape[0])
    for term, weight in zip(terms.tolist(), weights.tolist(), strict=True):
        start, end = matrix.indptr[term], matrix.indptr[term + 1]
        result[matrix.indices[start:end]] += matrix.data[start:end].astype(np.float64) * weight
    return result[rows]


def similarity(
    model: TextModel | None,
    index: RosterIndex,
    vector: tuple[np.ndarray, np.ndarray] | None,
    rows: np.ndarray,
) -> np.ndarray:
    """Return the text criterion of ``rows``: best similarity to summary or held label."""
    if model is None or vector is None or len(rows) == 0:
        return np.zeros(len(rows))
    terms, weights = vector
    dense_query = np.zeros(model.by_expert.shape[1])
    dense_query[terms] = weights
    row_cost = int((model.by_expert.indptr[rows + 1] - model.by_expert.indptr[rows]).sum())
    term_cost = int((model.by_term.indptr[terms + 1] - model.by_term.indptr[terms]).sum())
    result = (
        _by_rows(model.by_expert, dense_query, rows)
        if row_cost <= term_cost
        else _by_terms(model.by_term, terms, weights, rows)
    )
    label_similarity = _by_rows(model.labels, dense_query, np.arange(model.labels.shape[0]))
    columns = np.flatnonzero(label_similarity > 0)
    if len(columns):
        held = index.skill_years[np.ix_(rows, columns)] > 0
        best_label = np.max(np.where(held, label_similarity[columns], 0.0), axis=1)
        np.maximum(result, best_label, out=result)
    return np.clip(result, 0.0, 1.0)
