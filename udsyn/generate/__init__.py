"""A realistic national data set for measuring Udsyn at scale: ``udsyn generate``.

It fills the municipalities that keep no registry yet (the seeded ones are left as they are) with
departments, units, people, committees, a strategy with goals and principles, engagements with their
partners, representatives and funding, goal links, reviews, indicators and inquiries in every state
with their timelines, each with a history row. Everything is drawn from real names (see
:mod:`udsyn.generate.vocabulary` and ``data/ATTRIBUTION.md``) by a random generator seeded from the
``--seed`` and the municipality's code, so the same seed and day give the same data whatever order or
number of municipalities is asked for. Rows are written with ``bulk_create``, one municipality per
transaction, and the search index is rebuilt once at the end. ``udsyn.generate.generator.Generator`` does it.
"""
