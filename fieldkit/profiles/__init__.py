"""Who is at risk and who traffics: vulnerability profiles and trafficker roles (ILO Book 2,
2.5), each table published through the release as every other table.

    tables = profile_tables(dataset, ["tip_child"], ["sex", "origin"])
    published, _ = publish(dataset, tables)
    ranked = separations(published)
"""

from fieldkit.profiles.vulnerability import (
    CAUTION,
    DEFAULT_BY,
    Separation,
    children_table,
    profile_tables,
    separations,
)

__all__ = [
    "CAUTION",
    "DEFAULT_BY",
    "Separation",
    "children_table",
    "profile_tables",
    "separations",
]
