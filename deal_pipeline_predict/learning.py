"""The statistics of the win model, without the ORM: the design matrix of deal snapshots, the
regularised logistic regression and its calibration (scikit-learn), predictions from the stored
coefficients (numpy), the measures on a hold-out and the two baselines they are compared with."""

import math

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

# The snapshot's numbers, each taken as log(1 + x) and standardised.
NUMERIC = [
    "amount",
    "age_days",
    "stage_days",
    "close_date_pushes",
    "quotations",
    "messages",
    "customer_won",
    "customer_lost",
]
# The snapshot's categories, one column per value seen often enough; tags are a set per snapshot.
CATEGORICAL = ["stage", "pipeline", "owner"]
# A value seen in fewer training snapshots than this gets no column (it says nothing yet).
MIN_VALUE_COUNT = 5
# Below these counts of closed deals the model is the base rate alone.
MIN_DEALS = 30
MIN_DEALS_PER_OUTCOME = 10
# Inverse strength of the L2 penalty on standardised features: coefficients that the history
# does not support are pulled towards 0, i.e. the prediction towards the base rate.
REGULARISATION_C = 0.5
# The share of the closed deals, the newest, that measure the model.
HOLDOUT_SHARE = 0.2
# The regression's scores that calibrate it come from this many folds of the deals.
CALIBRATION_FOLDS = 5
RELIABILITY_BINS = 10
# Standardised numbers are clipped to this many standard deviations: an amount far outside the
# history does not push the prediction further than the history supports.
CLIP = 3.0
# CRM's predictive lead scoring adds this to every frequency (no zero probability).
CRM_SMOOTHING = 0.1
CRM_MIN_TAG_COUNT = 50


class Snapshots:
    """Deals as they were at a moment, as columns: ``deal_id``, ``stage``, ``pipeline``,
    ``owner``, ``tags`` (ids), the NUMERIC values, and for closed deals ``won`` (the final
    outcome), ``closed`` (when, as a number that sorts) and ``first_of_stay`` (the snapshot is
    the start of a stay in a stage)."""

    def __init__(self, columns):
        size = len(columns["deal_id"])
        self.deal_id = np.array(columns["deal_id"], dtype=np.int64)
        self.categories = {
            name: np.array([value or 0 for value in columns[name]], dtype=np.int64) for name in CATEGORICAL
        }
        self.tags = [tuple(tags or ()) for tags in columns["tags"]]
        self.numbers = np.zeros((size, len(NUMERIC)))
        for i, name in enumerate(NUMERIC):
            self.numbers[:, i] = [value or 0.0 for value in columns[name]]
        self.won = np.array([bool(value) for value in columns.get("won") or [0] * size], dtype=np.int8)
        self.closed = np.array([value or 0.0 for value in columns.get("closed") or [0.0] * size], dtype=np.float64)
        first = columns.get("first_of_stay") or [True] * size
        self.first_of_stay = np.array([value is None or bool(value) for value in first], dtype=bool)

    @classmethod
    def from_rows(cls, rows, names=None):
        """Snapshots of ``rows`` (dicts with the columns as keys)."""
        names = names or ["deal_id", *CATEGORICAL, "tags", *NUMERIC, "won", "closed", "first_of_stay"]
        return cls({name: [row.get(name) for row in rows] for name in names})

    def __len__(self):
        return len(self.deal_id)

    def subset(self, mask):
        part = object.__new__(Snapshots)
        part.deal_id = self.deal_id[mask]
        part.categories = {name: values[mask] for name, values in self.categories.items()}
        indexes = np.flatnonzero(mask)
        part.tags = [self.tags[i] for i in indexes]
        part.numbers = self.numbers[mask]
        part.won = self.won[mask]
        part.closed = self.closed[mask]
        part.first_of_stay = self.first_of_stay[mask]
        return part

    def split_by_close(self, newest_share):
        """(older, newer): the snapshots of the deals closed first, and those of the newest
        ``newest_share`` of the deals; a deal's snapshots stay together."""
        deals, first = np.unique(self.deal_id, return_index=True)
        order = np.argsort(self.closed[first], kind="stable")
        newer_count = round(len(deals) * newest_share)
        newer_deals = deals[order[len(deals) - newer_count :]]
        newer = np.isin(self.deal_id, newer_deals)
        return self.subset(~newer), self.subset(newer)

    def deal_weights(self):
        """1 / the deal's number of snapshots: each deal weighs one, however long its history."""
        _deals, inverse, counts = np.unique(self.deal_id, return_inverse=True, return_counts=True)
        return 1.0 / counts[inverse]

    def outcome_counts(self):
        """(won, lost) closed deals."""
        _deals, first = np.unique(self.deal_id, return_index=True)
        won = int(self.won[first].sum())
        return won, len(first) - won


def _transform(numbers):
    return np.log1p(np.clip(numbers, 0, None))


def _columns(snapshots):
    """The columns of a design matrix learnt from ``snapshots``: categorical values seen at least
    MIN_VALUE_COUNT times, then the numbers."""
    columns = []
    for name in CATEGORICAL:
        values, counts = np.unique(snapshots.categories[name], return_counts=True)
        columns += [
            f"{name}:{value}" for value, count in zip(values, counts, strict=True) if value and count >= MIN_VALUE_COUNT
        ]
    tag_counts = {}
    for tags in snapshots.tags:
        for tag in tags:
            tag_counts[tag] = tag_counts.get(tag, 0) + 1
    columns += [f"tag:{tag}" for tag, count in sorted(tag_counts.items()) if count >= MIN_VALUE_COUNT]
    return columns


def design_matrix(snapshots, columns, scaling):
    """The sparse matrix of ``snapshots`` over ``columns`` (names as ``_columns`` gives them, the
    numbers last), the numbers standardised with ``scaling`` ({name: [mean, std]}). Values that
    have no column (unseen in training) are left out: they weigh nothing."""
    index = {name: position for position, name in enumerate(columns)}
    rows, cols = [], []
    for name in CATEGORICAL:
        positions = np.array([index.get(f"{name}:{value}", -1) for value in snapshots.categories[name]])
        found = positions >= 0
        rows.append(np.flatnonzero(found))
        cols.append(positions[found])
    tag_rows, tag_cols = [], []
    for row, tags in enumerate(snapshots.tags):
        for tag in tags:
            if (position := index.get(f"tag:{tag}")) is not None:
                tag_rows.append(row)
                tag_cols.append(position)
    rows.append(np.array(tag_rows, dtype=np.int64))
    cols.append(np.array(tag_cols, dtype=np.int64))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    categorical = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(snapshots), len(columns) - len(NUMERIC))
    )
    means = np.array([scaling[name][0] for name in NUMERIC])
    stds = np.array([scaling[name][1] for name in NUMERIC])
    numbers = np.clip((_transform(snapshots.numbers) - means) / stds, -CLIP, CLIP)
    return sparse.hstack([categorical, sparse.csr_matrix(numbers)], format="csr")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def _logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def base_rate_model(won, lost):
    """The model of a thin history: the share of won deals, smoothed towards one half
    (Laplace), for every deal."""
    rate = (won + 1) / (won + lost + 2)
    return {"kind": "base_rate", "base_rate": rate, "won": won, "lost": lost}


def fit(snapshots):
    """The model learnt from the snapshots of closed deals, as a JSON-able dict: a logistic
    regression on all of them, calibrated (Platt) on its own out-of-fold scores; the base rate
    alone when the history is too thin."""
    won, lost = snapshots.outcome_counts()
    if won + lost < MIN_DEALS or min(won, lost) < MIN_DEALS_PER_OUTCOME:
        return base_rate_model(won, lost)
    columns = _columns(snapshots) + [f"num:{name}" for name in NUMERIC]
    transformed = _transform(snapshots.numbers)
    stds = transformed.std(axis=0)
    scaling = {
        name: [float(transformed[:, i].mean()), float(stds[i]) if stds[i] > 1e-9 else 1.0]
        for i, name in enumerate(NUMERIC)
    }
    matrix = design_matrix(snapshots, columns, scaling)
    weights = snapshots.deal_weights()
    regression = LogisticRegression(C=REGULARISATION_C, max_iter=500)
    # Platt scaling on scores of deals the regression did not see (each deal's snapshots in one
    # fold): with features that say nothing, the slope goes to 0 and every prediction to the
    # win rate.
    scores = cross_val_predict(
        regression,
        matrix,
        snapshots.won,
        groups=snapshots.deal_id,
        cv=StratifiedGroupKFold(n_splits=CALIBRATION_FOLDS),
        method="decision_function",
        params={"sample_weight": weights},
    )
    platt = LogisticRegression(C=1.0)
    platt.fit(scores.reshape(-1, 1), snapshots.won, sample_weight=weights)
    regression.fit(matrix, snapshots.won, sample_weight=weights)
    return {
        "kind": "logistic",
        "base_rate": (won + 1) / (won + lost + 2),
        "won": won,
        "lost": lost,
        "columns": columns,
        "scaling": scaling,
        "coefficients": [float(value) for value in regression.coef_[0]],
        "intercept": float(regression.intercept_[0]),
        "calibration": [float(platt.coef_[0][0]), float(platt.intercept_[0])],
    }


def _scores(model, snapshots):
    matrix = design_matrix(snapshots, model["columns"], model["scaling"])
    return matrix @ np.array(model["coefficients"]) + model["intercept"]


def predict(model, snapshots):
    """Win probabilities (0 to 1) of ``snapshots`` by ``model`` (a dict from ``fit``)."""
    if model["kind"] == "base_rate":
        return np.full(len(snapshots), model["base_rate"])
    slope, intercept = model["calibration"]
    return _sigmoid(slope * _scores(model, snapshots) + intercept)


def stage_rates(snapshots):
    """The stage's win rate: of the deals that entered each stage, the share won (smoothed
    towards the overall rate by one deal)."""
    entered = snapshots.subset(snapshots.first_of_stay)
    overall = float(entered.won.mean()) if len(entered) else 0.5
    rates = {}
    for stage in np.unique(entered.categories["stage"]):
        outcomes = entered.won[entered.categories["stage"] == stage]
        rates[int(stage)] = (float(outcomes.sum()) + overall) / (len(outcomes) + 1)
    return rates, overall


def predict_stage_rates(rates, overall, snapshots):
    return np.array([rates.get(int(stage), overall) for stage in snapshots.categories["stage"]])


def crm_frequencies(deals, stage_sequences):
    """The frequency table of Odoo CRM's predictive lead scoring, built the way CRM builds it
    from closed leads: for each field and value, the won and lost deals that had it when they
    closed. A won deal counts in every stage, a lost one in its last open stage and the stages
    before it (by sequence). ``deals``: dicts of ``stage``, ``pipeline``, ``owner``, ``tags``,
    ``won`` (one per closed deal)."""
    table = {name: {} for name in (*CATEGORICAL, "tag")}

    def count(field, value, won):
        counts = table[field].setdefault(value, [0, 0])
        counts[0 if won else 1] += 1

    for deal in deals:
        won = deal["won"]
        sequence = stage_sequences.get(deal["stage"])
        for stage, stage_sequence in stage_sequences.items():
            if won or (sequence is not None and stage_sequence <= sequence):
                count("stage", stage, won)
        for field in ("pipeline", "owner"):
            if deal[field]:
                count(field, deal[field], won)
        for tag in deal["tags"]:
            count("tag", tag, won)
    # CRM leaves out the tags of fewer than 50 closed leads, and adds 0.1 to every count
    table["tag"] = {tag: counts for tag, counts in table["tag"].items() if sum(counts) >= CRM_MIN_TAG_COUNT}
    won = sum(1 for deal in deals if deal["won"])
    return {
        "won": won,
        "lost": len(deals) - won,
        "fields": {
            field: {value: [counts[0] + CRM_SMOOTHING, counts[1] + CRM_SMOOTHING] for value, counts in values.items()}
            for field, values in table.items()
        },
    }


def predict_crm(frequencies, snapshots):
    """CRM's naive Bayes score: P(won) times the product of P(value | won), against the same for
    lost, over the fields whose value is in the table; the stage's frequencies are divided by all
    won (lost) deals, the others by their field's own totals; clamped to 0.01 to 99.99 % as CRM
    does."""
    won_total, lost_total = frequencies["won"], frequencies["lost"]
    totals = {
        field: (sum(c[0] for c in values.values()), sum(c[1] for c in values.values()))
        for field, values in frequencies["fields"].items()
    }
    totals["stage"] = (won_total, lost_total)
    result = np.empty(len(snapshots))
    for i in range(len(snapshots)):
        values = [(name, int(snapshots.categories[name][i])) for name in CATEGORICAL]
        values += [("tag", tag) for tag in snapshots.tags[i]]
        log_won = math.log(won_total / (won_total + lost_total))
        log_lost = math.log(lost_total / (won_total + lost_total))
        for field, value in values:
            counts = frequencies["fields"][field].get(value)
            if counts:
                log_won += math.log(counts[0] / totals[field][0])
                log_lost += math.log(counts[1] / totals[field][1])
        probability = 1 / (1 + math.exp(min(log_lost - log_won, 700)))
        result[i] = min(max(probability, 0.0001), 0.9999)
    return result


def measures(predictions, won):
    """Brier score and AUC (None when the hold-out has one outcome only)."""
    brier = float(brier_score_loss(won, predictions))
    auc = float(roc_auc_score(won, predictions)) if len(set(won)) == 2 else None
    return brier, auc


def reliability(predictions, won, bins=RELIABILITY_BINS):
    """[(lower, upper, count, won count, mean prediction)] per band of predictions."""
    edges = np.linspace(0, 1, bins + 1)
    band = np.minimum((predictions * bins).astype(int), bins - 1)
    return [
        (
            float(edges[i]),
            float(edges[i + 1]),
            int((band == i).sum()),
            int(won[band == i].sum()),
            float(predictions[band == i].mean()) if (band == i).any() else 0.0,
        )
        for i in range(bins)
    ]
