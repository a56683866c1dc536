"""Tracked video: what each learner watched of a lesson's uploaded videos (docs/online-study.md)."""
