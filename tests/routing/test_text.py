from __future__ import annotations

import pytest

from app.routing.text import fit_idf, normalize, term_counts, vectorize


@pytest.mark.parametrize(("written", "folded"), [
    ("إنقطاع", "انقطاع"),  # hamza under alef
    ("أَنْقَطَعَ", "انقطع"),  # diacritics
    ("المـــاء", "الماء"),  # tatweel
    ("مدرسة", "مدرسه"),  # taa marbuta
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("Électricité coupée", "electricite coupee"),
    ("Rue  de   l'Hôpital", "rue de l'hopital"),
    ("٢٠٢٦", "2026"),
])
def test_spelling_variants_fold_to_one_form(written: str, folded: str) -> None:
    assert normalize(written) == folded


def test_vectors_of_spelling_variants_are_near_identical() -> None:
    texts = ["إنقطاع الكهرباء في المدرسة", "انقطاع الكهرباء في المدرسه", "Réclamation des déchets"]
    vectors = vectorize(texts, fit_idf(term_counts(texts)))
    similarity = (vectors @ vectors.T).toarray()
    assert similarity[0, 1] == pytest.approx(1.0, abs=1e-5)
    assert similarity[0, 2] < 0.1
