"""Supervisor review (issue 16): the interviews to look at, flagged first, and the decisions.

review_queue(store, project)                     -> list[ReviewItem]
decide(store, ID, "approved"|"rejected", comment, reviewer) -> Decision   (audited)
"""

from __future__ import annotations

from fieldkit.review.decisions import Decision, ReviewItem, decide, review_queue

__all__ = ["Decision", "ReviewItem", "decide", "review_queue"]
