"""Lookups that keep a query working whatever number a person sends."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    """``__in`` on an integer column (ids too): a number the column cannot hold matches no
    row, as Django's own ``exact``, ``lt`` and ``gt`` already treat it.

    A choice of several rows (tags, groups, the outputs that address a project) is checked
    with ``pk__in``; on SQLite a hand-made form's 10**400 among them would otherwise fail in
    the database driver (OverflowError, a 500) instead of being refused as no such choice.
    """

    def process_rhs(self, compiler, connection):
        """The values, without those outside the column's range (none left: no match)."""
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
