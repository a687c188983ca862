"""Columns as Parquet, for pandas, R (arrow) and Polars users.

Parquet can say what CSV cannot: a missing code is null, not 0, in a nullable integer column,
and each column's label travels as field metadata. The schema is built on its own so the
streamed export (:mod:`codewell.io.export_stream`) writes the same table in row groups of a
block. pyarrow and pandas are imported only when a Parquet file is written.

A rating scale (an ``ordinal`` column) is an ordered dictionary column, its categories in scale
order, so R (``arrow::read_parquet``: an ordered factor) and pandas (an ordered ``Categorical``)
tabulate and plot it low to high, not alphabetically, and a model can take it as ordinal. Its
categories are the answers the column uses, as written, as the SPSS file labels them
(:func:`codewell.io.stats_attributes.ordinal_categories`), not the whole scale: the two files
then agree, and answers that fit several scales (``Agree`` and ``Disagree`` are points of the
five- and the seven-point agreement scale) never get points nobody chose added on a guess. Each
row group carries the whole dictionary, so a block that uses only some points of the scale keeps
the others, and a file written a block at a time reads back as the file written whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codewell.io.export_columns import Column, ColumnKind, utc


def write_parquet(columns: list[Column], out: Path, about: Mapping[str, Any] | None = None) -> None:
    """Nullable types (a missing code is null, not 0), labels as field metadata, and pandas
    metadata so ``pandas.read_parquet`` gives nullable ``Int8``/``boolean`` columns."""
    import pyarrow.parquet as pq

    pq.write_table(parquet_table(columns, parquet_schema(columns, about)), out)


def parquet_schema(columns: list[Column], about: Mapping[str, Any] | None = None) -> Any:
    """The Parquet schema of ``columns`` (a ``pyarrow.Schema``), for a file written whole or a
    block at a time; ``about`` (whose coding, which codebook version, which layout) goes into
    the schema metadata as JSON under ``codewell``."""
    import json

    import pandas as pd
    import pyarrow as pa

    dtypes = {"text": "string", "flag": "Int8", "bool": "boolean", "int": "Int64", "float": "Float64",
              "timestamp": "datetime64[us, UTC]"}

    def dtype(column: Column) -> Any:  # the pandas metadata of a category names its categories
        if column.kind == "ordinal":
            return pd.CategoricalDtype(list(column.categories), ordered=True)
        return dtypes[column.kind]

    fields = [pa.field(c.name, _arrow_type(c.kind), metadata={"label": c.label or c.name}) for c in columns]
    empty = pd.DataFrame({c.name: pd.Series([], dtype=dtype(c)) for c in columns})
    metadata = dict(pa.Table.from_pandas(empty, preserve_index=False).schema.metadata)
    if about is not None:
        metadata[b"codewell"] = json.dumps(about).encode("utf-8")
    return pa.schema(fields, metadata=metadata)


def parquet_table(columns: list[Column], schema: Any) -> Any:
    """``columns`` as a ``pyarrow.Table`` of ``schema``."""
    import pyarrow as pa

    arrays = []
    for column in columns:
        values = column.values
        if column.kind == "ordinal":
            arrays.append(_categories(column))
            continue
        if column.kind == "timestamp":
            values = [None if v is None else utc(v) for v in values]
        arrays.append(pa.array(values, type=_arrow_type(column.kind)))
    return pa.Table.from_arrays(arrays, schema=schema)


def _categories(column: Column) -> Any:
    """An ``ordinal`` column as an ordered dictionary array holding all its categories (a blank
    is null); an answer outside them is a layout's mistake and raises ``KeyError``."""
    import pyarrow as pa

    index = {category: i for i, category in enumerate(column.categories)}
    indices = pa.array([None if v is None or v == "" else index[v] for v in column.values],
                       type=pa.int8())
    return pa.DictionaryArray.from_arrays(indices, pa.array(column.categories, type=pa.string()),
                                          ordered=True)


def _arrow_type(kind: ColumnKind) -> Any:
    import pyarrow as pa

    if kind == "ordinal":  # int8 indices: a categorical has at most MAX_CATEGORIES values
        return pa.dictionary(pa.int8(), pa.string(), ordered=True)
    return {"text": pa.string(), "flag": pa.int8(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(),
            "timestamp": pa.timestamp("us", tz="UTC")}[kind]
