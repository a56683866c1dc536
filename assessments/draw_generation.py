"""The question bank's generation, under which cached draw plans are kept
(``assessments.services.draw_plan``).

A save or a delete of a question, a category, an exam or its rules or fixed questions starts a
new generation through a signal (``AssessmentsConfig.ready``). A bulk write sends no signal:
the QuerySets of those models (``DrawSourceQuerySet``) start one themselves after
``update`` (and so ``bulk_update``) and ``bulk_create``, and a category moved in the tree
(treebeard rewrites paths with raw SQL) does too, so no path can leave a plan stale for
``EXAM_DRAW_PLAN_SECONDS``.
"""

import uuid

from django.core.cache import cache
from django.db import models, transaction

DRAW_GENERATION_KEY = "assessments:draw-generation"


def draw_generation() -> str:
    """The current generation (started here if the cache has none). Cached draw plans and
    papers drawn ahead (``assessments.services.papers``) carry the generation they were read
    under and are not used under another."""
    generation = cache.get(DRAW_GENERATION_KEY)
    if generation is None:
        cache.add(DRAW_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(DRAW_GENERATION_KEY)
    return generation


def draw_plan_forget(**kwargs):
    """Signal receiver: the question bank or an exam's rules changed, so every cached draw plan
    is out of date."""
    cache.set(DRAW_GENERATION_KEY, uuid.uuid4().hex, None)


def draw_plan_changed():
    """After a write that sends no signal: a new generation now, and again once committed (a
    plan read in between, from the rows before the commit, is not kept)."""
    draw_plan_forget()
    transaction.on_commit(draw_plan_forget)


class DrawSourceQuerySet(models.QuerySet):
    """For the models draw plans are read from: a bulk write starts a new generation."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            draw_plan_changed()
        return rows

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            draw_plan_changed()
        return created

    bulk_create.alters_data = True
