"""Turning Arabic, French and mixed petition text into vectors that compare well.

Citizens write the same word many ways: Arabic with or without diacritics, hamza forms of alef,
final yaa written as alef maqsura, taa marbuta as haa, stretched with tatweel; French with or
without accents. Folding these before taking character n-grams (``char_wb`` 2–5) makes the
vectors robust to spelling and to the mix of scripts, with no language detection and no
stemmer. Hashing the n-grams (instead of a learned vocabulary) keeps the model a few plain
arrays that serialize without pickle.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

N_FEATURES = 2**18
NGRAM_RANGE = (2, 5)

_ARABIC_FOLDS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه",
    "ـ": None,  # tatweel
    "،": ",", "؛": ";", "؟": "?",
})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, accent- and diacritic-free, with Arabic letter variants folded to one form."""
    text = text.translate(_ARABIC_FOLDS).translate(_DIGITS)
    # NFKD splits French accents and Arabic harakat/shadda into combining marks, dropped here.
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Recomposing would bring back hamza forms (ا + ٔ → أ): fold again after dropping marks.
    return _SPACES.sub(" ", stripped.translate(_ARABIC_FOLDS).casefold()).strip()


_HASHER = HashingVectorizer(
    analyzer="char_wb", ngram_range=NGRAM_RANGE, n_features=N_FEATURES,
    alternate_sign=False, norm=None, preprocessor=normalize, dtype=np.float32,
)


def term_counts(texts: list[str]) -> sparse.csr_matrix:
    """Sublinear n-gram counts (1 + log tf): a word repeated ten times is not ten times the topic."""
    counts = _HASHER.transform(texts).tocsr()
    counts.data = 1.0 + np.log(counts.data)
    return counts


def fit_idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's ``TfidfTransformer`` computes it."""
    documents = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + documents) / (1 + frequency)) + 1).astype(np.float32)


def vectorize(texts: list[str], idf: np.ndarray) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows: a dot product between two rows is their cosine similarity."""
    weighted = term_counts(texts).multiply(idf).tocsr()
    return l2_normalize(weighted, copy=False).astype(np.float32)
