"""Choosing the refusal threshold from confidences on an eval set."""

from __future__ import annotations

from evals.calibrate import Scored, choose_threshold, confidence_alone


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


def test_on_confidence_alone_the_rules_refusals_are_set_aside() -> None:
    # rules refuse both unanswerable questions here, so with them the threshold stays at 0;
    # on confidence alone it separates them from the answerable ones
    scored = [Scored(c, True) for c in (0.60, 0.70, 0.80, 0.90)]
    scored += [Scored(0.50, False, refused_anyway=True), Scored(0.55, False, True)]
    assert choose_threshold(scored, max_false_refusals=0.0).threshold == 0.0
    alone = confidence_alone(scored)
    assert not any(s.refused_anyway for s in alone)
    cal = choose_threshold(alone, max_false_refusals=0.0)
    assert cal.threshold == 0.575 and cal.refusal_accuracy == 1.0
