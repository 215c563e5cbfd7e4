"""``manage.py rerender_markdown``: render every stored markdown text again.

HTML is rendered once, when a text is saved; after the renderer learns something new (math,
bare links, board links), texts saved before still hold the old HTML until this runs.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from projects.markdown import RenderedMarkdown, render_markdown


class Command(BaseCommand):
    help = (
        "Render the HTML of every stored markdown text again (agenda introductions, project "
        "descriptions and summaries, claim plans, comments, biographies), in batches. Safe to "
        "run at any time, and again: a text whose HTML is current is left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows read and written at a time."
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        """Re-render each model's texts, and say how many changed."""
        for model in apps.get_models():
            if issubclass(model, RenderedMarkdown) and model.markdown_fields:
                changed, total = self._rerender(model, max(batch_size, 1))
                name = model._meta.verbose_name_plural
                self.stdout.write(f"{name}: {changed} of {total} re-rendered")
        self.stdout.write(
            self.style.SUCCESS("Every stored text is rendered with today's renderer.")
        )

    def _rerender(self, model, batch_size: int) -> tuple[int, int]:
        """Walk ``model``'s rows in primary-key order, a batch per transaction; write only
        the HTML fields, and only of rows whose HTML changes. -> (changed, total)."""
        fields = model.markdown_fields
        changed = total = 0
        last = None
        while True:
            with transaction.atomic():
                # Locked while they are rendered, so that an edit saved meanwhile is not
                # overwritten with HTML of the text it replaced.
                rows = (
                    model._base_manager.select_for_update()
                    .order_by("pk")
                    .only("pk", *fields, *fields.values())
                )
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = list(rows[:batch_size])
                if not batch:
                    return changed, total
                dirty = []
                for row in batch:
                    fresh = {
                        html: render_markdown(getattr(row, source))
                        for source, html in fields.items()
                    }
                    if any(getattr(row, html) != value for html, value in fresh.items()):
                        for html, value in fresh.items():
                            setattr(row, html, value)
                        dirty.append(row)
                model._base_manager.bulk_update(dirty, list(fields.values()))
            changed += len(dirty)
            total += len(batch)
            last = batch[-1].pk
