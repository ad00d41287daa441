"""Train the section-role model (curbside/learned/section_model.py): which heading of an
article a sentence's content belongs under (overview, diagnosis, management, prognosis, risk).

    python bench/train_section_model.py [--data DIR] [--out DIR]

Weak labels, from `$CURBSIDE_DATA`: every quotable sentence of a MedQuAD answer takes the
heading of its question's type (treatment -> management; symptoms, exams and tests ->
diagnosis; outlook, complications -> prognosis; causes, inheritance, genetic changes,
frequency, susceptibility -> risk; information -> overview). Features: the mean of the
distilled MiniLM word-piece vectors the library already uses (curbside/library/embedding.py),
weighted by the pieces' rarity in these sentences. Model: a multinomial logistic regression
(scikit-learn, fixed seed).

Figures are out of sample: five folds grouped by MedQuAD page (a page's sentences are never
on both sides), against the keyword rules (`sections.classify_sentence`, read without the
source's heading) on the same sentences. The shipped weights are then fitted on every page.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import f1_score  # type: ignore[import-untyped]
from sklearn.model_selection import GroupKFold  # type: ignore[import-untyped]

from curbside.answer import sections as plan
from curbside.answer.sentences import quotable_sentences
from curbside.learned.section_model import MODEL_FILE, ROLES, sentence_features
from curbside.library.embedding import piece_weights, vocabulary_size, word_pieces
from curbside.settings import default_data_dir

SEED = 7
PER_ROLE = 6000  # sentences a role, at most (the types are very unequal in MedQuAD)
QUESTION_TYPE_ROLE = {
    "information": plan.OVERVIEW, "symptoms": plan.DIAGNOSIS, "exams and tests": plan.DIAGNOSIS,
    "treatment": plan.MANAGEMENT, "outlook": plan.PROGNOSIS, "complications": plan.PROGNOSIS,
    "causes": plan.RISK, "inheritance": plan.RISK, "genetic changes": plan.RISK,
    "frequency": plan.RISK, "susceptibility": plan.RISK,
}


def labelled_sentences(data: Path) -> tuple[list[str], list[str], list[str]]:
    texts, roles, pages = [], [], []
    with gzip.open(data / "medquad" / "medquad_qa_answered.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            role = QUESTION_TYPE_ROLE.get(row["qtype"])
            if role is None:
                continue
            for sentence in quotable_sentences(row["answer"], ""):
                texts.append(sentence)
                roles.append(role)
                pages.append(str(row["doc_id"] or row["url"]))
    rng = np.random.default_rng(SEED)
    keep: list[int] = []
    for role in ROLES:
        index = [i for i, r in enumerate(roles) if r == role]
        keep += list(rng.permutation(index)[:PER_ROLE])
    keep.sort()
    return [texts[i] for i in keep], [roles[i] for i in keep], [pages[i] for i in keep]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1]
                        / "curbside" / "learned" / "models")
    args = parser.parse_args()
    texts, roles, pages = labelled_sentences(args.data)
    print(len(texts), "sentences", dict(Counter(roles)), flush=True)
    pieces = word_pieces(texts)
    frequency = np.zeros(vocabulary_size(), dtype=np.int64)
    for ids in pieces:
        frequency[np.unique(np.asarray(ids, dtype=np.int64))] += 1
    weights = piece_weights(frequency, len(texts))
    features = sentence_features(pieces, weights)
    labels = np.array([ROLES.index(r) for r in roles])
    keyword = np.array([ROLES.index(k) if (k := plan.classify_sentence(t, "")) in ROLES else -1
                        for t in texts])
    learned_acc, keyword_acc, learned_f1, keyword_f1 = [], [], [], []
    for train, test in GroupKFold(n_splits=5).split(features, labels, groups=pages):
        model = LogisticRegression(C=4.0, max_iter=2000, random_state=SEED)
        model.fit(features[train], labels[train])
        predicted = model.predict(features[test])
        learned_acc.append(float(np.mean(predicted == labels[test])))
        keyword_acc.append(float(np.mean(keyword[test] == labels[test])))
        learned_f1.append(float(f1_score(labels[test], predicted, average="macro")))
        keyword_f1.append(float(f1_score(labels[test], keyword[test], average="macro",
                                         labels=list(range(len(ROLES))))))
    print(json.dumps({
        "held_out_by_page": {"learned_accuracy": round(float(np.mean(learned_acc)), 4),
                             "learned_macro_f1": round(float(np.mean(learned_f1)), 4),
                             "keyword_accuracy": round(float(np.mean(keyword_acc)), 4),
                             "keyword_macro_f1": round(float(np.mean(keyword_f1)), 4)}},
                     indent=1))
    model = LogisticRegression(C=4.0, max_iter=2000, random_state=SEED)
    model.fit(features, labels)
    in_sample = float(np.mean(model.predict(features) == labels))
    print("in sample accuracy (all pages):", round(in_sample, 4))
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / MODEL_FILE, piece_weights=weights.astype(np.float16),
                        coef=model.coef_.astype(np.float32),
                        intercept=model.intercept_.astype(np.float32),
                        roles=np.array(ROLES))
    print("wrote", args.out / MODEL_FILE, f"{(args.out / MODEL_FILE).stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
