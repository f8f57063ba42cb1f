"""Background jobs of the strategy app."""

from celery import shared_task

from .models import Node

BATCH = 1000


@shared_task(acks_late=True)
def rebuild_search_index(edition_code: str | None = None) -> int:
    """Recompute the normalised search text of every node (of one edition, or all).

    Needed after the normalisation rules change or after a bulk load that bypassed
    ``Node.save``. Idempotent: running it twice gives the same text."""
    nodes = Node.objects.order_by("pk")
    if edition_code:
        nodes = nodes.filter(edition__code=edition_code)
    changed = []
    for node in nodes.only("pk", "title_th", "title_en", "full_title_th", "search_text").iterator(
        chunk_size=BATCH
    ):
        text = node.build_search_text()
        if text != node.search_text:
            node.search_text = text
            changed.append(node)
    Node.objects.bulk_update(changed, ["search_text"], batch_size=BATCH)
    return len(changed)
