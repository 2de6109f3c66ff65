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
    label_terms: sp.csc_array


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
    label_terms = sp.csc_array(label_matrix)
    label_terms.sort_indices()
    return TextModel(
        vectorizer, vectorizer.build_analyzer(), by_term, matrix, label_matrix, label_terms
    )


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


def _gather(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the stored values of ``lines`` (rows of a CSR, columns of a CSC), in order.

    Returns the position in ``lines`` each value belongs to, its index (column of a CSR,
    row of a CSC) and the value as float64. Plain numpy: scipy's row indexing builds a
    new matrix and validates its indices on every call, which cost more than the product.
    """
    starts = indptr[lines]
    counts = indptr[lines + 1] - starts
    owner = np.repeat(np.arange(len(lines)), counts)
    # Position k of the output reads stored value starts[owner[k]] + (k - first[owner[k]]).
    flat = np.arange(len(owner)) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return owner, indices[flat], data[flat].astype(np.float64)


def _sums(owner: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Return ``size`` float64 sums of ``values`` by ``owner``, each added in array order.

    ``bincount`` adds sequentially from 0 (and returns integers when nothing is stored).
    """
    return np.bincount(owner, weights=values, minlength=size).astype(np.float64, copy=False)


def _by_rows(matrix: sp.csr_array, dense_query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return ``matrix[rows] @ query``, reading only the stored values of ``rows``.

    The float64 products of each row are added in stored (ascending term) order, from 0,
    as scipy's CSR product and ``_by_terms`` do: the sums are bit-identical.
    """
    owner, columns, values = _gather(matrix.indptr, matrix.indices, matrix.data, rows)
    return _sums(owner, values * dense_query[columns], len(rows))


def _by_terms(
    matrix: sp.csc_array, terms: np.ndarray, weights: np.ndarray, rows: np.ndarray | None
) -> np.ndarray:
    """Return ``matrix[rows] @ query`` (all rows when None), reading only the query's terms.

    The values are gathered term by term in ascending order, so each row's products are
    added in the same order as in ``_by_rows``.
    """
    owner, row_of, values = _gather(matrix.indptr, matrix.indices, matrix.data, terms)
    result = _sums(row_of, values * weights[owner], matrix.shape[0])
    return result if rows is None else result[rows]


def _best_label(index: RosterIndex, label_similarity: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return, per row, the best similarity of a label of an expertise area the row holds."""
    best = np.zeros(len(rows))
    for column in np.flatnonzero(label_similarity > 0).tolist():
        held = index.skill_years[:, column][rows] > 0  # a contiguous column: cheap gather
        np.maximum(best, np.where(held, label_similarity[column], 0.0), out=best)
    return best


def label_similarity(
    model: TextModel | None,
    index: RosterIndex,
    vector: tuple[np.ndarray, np.ndarray] | None,
    rows: np.ndarray,
) -> np.ndarray:
    """Return, per row, the best similarity of the role's text to a held expertise label.

    Cheap (a few dozen labels), and a lower bound of the text criterion.
    """
    if model is None or vector is None or len(rows) == 0:
        return np.zeros(len(rows))
    labels = _by_terms(model.label_terms, vector[0], vector[1], None)
    return _best_label(index, labels, rows)


def summary_similarity(
    model: TextModel | None, vector: tuple[np.ndarray, np.ndarray] | None, rows: np.ndarray
) -> np.ndarray:
    """Return, per row, the cosine similarity of the role's text to the expert's summary."""
    if model is None or vector is None or len(rows) == 0:
        return np.zeros(len(rows))
    terms, weights = vector
    row_cost = int((model.by_expert.indptr[rows + 1] - model.by_expert.indptr[rows]).sum())
    term_cost = int((model.by_term.indptr[terms + 1] - model.by_term.indptr[terms]).sum())
    if row_cost > term_cost:
        return _by_terms(model.by_term, terms, weights, rows)
    dense_query = np.zeros(model.by_expert.shape[1])
    dense_query[terms] = weights
    return _by_rows(model.by_expert, dense_query, rows)
