"""Choosing the refusal threshold from confidences on an eval set."""

from __future__ import annotations

from evals.calibrate import Scored, choose_threshold


def test_the_threshold_refuses_most_unanswerable_within_the_false_refusal_limit() -> None:
    scored = [Scored(c, True) for c in (0.60, 0.70, 0.75, 0.80, 0.85, 0.90, 0.92, 0.95, 0.97, 0.99)]
    scored += [Scored(c, False) for c in (0.50, 0.62, 0.65, 0.72)]
    cal = choose_threshold(scored, max_false_refusals=0.1)
    # refusing below 0.65 < t <= 0.70 refuses three of four unanswerable and one of ten
    # answerable (0.60); the threshold sits in the middle of that gap
    assert cal.threshold == 0.675
    assert cal.refusal_accuracy == 0.75 and cal.false_refusal_rate == 0.1
    strict = choose_threshold(scored, max_false_refusals=0.0)
    assert strict.threshold == 0.55 and strict.refusal_accuracy == 0.25


def test_questions_refused_anyway_count_and_need_no_threshold() -> None:
    # two unanswerable questions are refused by a rule (a law the sources do not hold), so a
    # low threshold does as well as a high one, and refuses no answerable question
    scored = [Scored(c, True) for c in (0.60, 0.70, 0.80, 0.90)]
    scored += [Scored(0.85, False, refused_anyway=True), Scored(0.88, False, True)]
    scored += [Scored(0.55, False)]
    cal = choose_threshold(scored, max_false_refusals=0.0)
    assert cal.threshold == 0.575
    assert cal.refusal_accuracy == 1.0 and cal.false_refusal_rate == 0.0


def test_rules_that_refuse_answerable_questions_leave_the_threshold_at_zero() -> None:
    scored = [Scored(0.9, True, refused_anyway=True), Scored(0.8, True), Scored(0.5, False)]
    cal = choose_threshold(scored, max_false_refusals=0.1)
    assert cal.threshold == 0.0
    assert cal.false_refusal_rate == 0.5 and cal.refusal_accuracy == 0.0


def test_questions_tied_to_nothing_covered_get_their_own_higher_threshold() -> None:
    from evals.calibrate import choose_uncovered

    # covered questions keep the main threshold (0.6); among the uncovered, unanswerable ones
    # reach 0.66 and 0.68, answerable ones start at 0.70
    scored = [Scored(c, True) for c in (0.65, 0.8, 0.9, 0.95)]
    scored += [Scored(c, True, covered=False) for c in (0.70, 0.85)]
    scored += [Scored(0.62, False), Scored(0.5, False)]
    scored += [Scored(c, False, covered=False) for c in (0.66, 0.68)]
    assert not scored[-1].refused_at(0.6) and scored[-1].refused_at(0.6, 0.69)
    cal = choose_uncovered(scored, threshold=0.6, max_false_refusals=0.0)
    # refusing uncovered questions below 0.68 < t <= 0.70: the middle of that gap
    assert cal.threshold == 0.69
    assert cal.refusal_accuracy == 0.75 and cal.false_refusal_rate == 0.0
    assert cal.answerable == [0.70, 0.85] and cal.unanswerable == [0.66, 0.68]
    # never below the main threshold, and no higher than the false-refusal limit allows
    assert choose_uncovered(scored, threshold=0.9, max_false_refusals=1.0).threshold >= 0.9
    assert choose_uncovered(scored[:6], threshold=0.6).threshold == 0.6
