"""Regenerate the messy-file corpus: `python tests/data/make_corpus.py` (files are committed)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def write(name: str, content: bytes | str, encoding: str = "utf-8") -> None:
    data = content.encode(encoding) if isinstance(content, str) else content
    (HERE / name).write_bytes(data)


def main() -> None:
    base = "x1,x2,label,y\n1.5,2,a,3.25\n2.5,4,b,5.5\n3.5,6,a,7.75\n4.5,8,c,10\n"
    write("clean.csv", base)
    write("semicolon_decimal_comma_latin1.csv",
          "größe;gewicht;stadt;preis\n1,75;70,5;Zürich;1.234,50\n1,80;82,0;München;2.000,00\n"
          "1,62;55,25;Köln;999,99\n1,90;95,0;Düsseldorf;12.345,67\n", "latin-1")
    write("utf8_bom.csv", "\ufeff" + base)
    write("utf16_le_bom.csv", "\ufeff" + base.replace(",", "\t"), "utf-16-le")
    write("utf16_be_bom.tsv", "\ufeff" + base.replace(",", "\t"), "utf-16-be")
    write("cp1252_euro.csv", "item;price €;note\nA;1,5;café\nB;2,5;naïve\nC;3,0;crème\n", "cp1252")
    write("tab_separated.tsv", base.replace(",", "\t"))
    write("pipe_separated.txt", base.replace(",", "|"))
    write("crlf_line_endings.csv", base.replace("\n", "\r\n"))
    write("blank_trailing_lines.csv", base + "\n\n\n   \n")
    write("quoted_newlines.csv", 'id,comment,value\n1,"first line\nsecond line",10\n2,"plain",20\n3,"a, with comma",30\n')
    write("missing_cells.csv", "a,b,c\n1,,x\n2,5,\n,6,y\nNA,7,z\n5,N/A,w\n")
    write("text_column.csv", "name,score,city\nAnn,1.5,Oslo\nBob,2.5,Rome\nCid,3.5,Oslo\n")
    write("duplicate_columns.csv", "a,a,b,a\n1,2,3,4\n5,6,7,8\n")
    write("blank_column_names.csv", ",b,\n1,2,3\n4,5,6\n")
    write("thousands_separators.csv", 'income,age\n"1,234.5",30\n"12,000",40\n"999",50\n')
    write("empty.csv", "")
    write("header_only.csv", "a,b,c\n")
    write("whitespace_only.csv", "  \n\n  \n")
    write("binary_renamed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    write("gzip_renamed.csv", gzip.compress(base.encode()))
    write("ragged_rows.csv", "a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n")
    write("short_rows.csv", "a,b,c\n1,2,3\n4,5\n7,8,9\n")
    write("no_numeric_columns.csv", "name,city\nAnn,Oslo\nBob,Rome\n")
    write("formula_cells.csv", "x,y,note\n1,2,=1+1\n2,4,=HYPERLINK(\"http://example.invalid\")\n3,6,+cmd\n")
    write("html_headers.csv", "<b>x</b>,<script>alert(1)</script>,y\n1,2,3\n4,5,6\n7,8,9\n")
    write("emoji_names.csv", "📈 growth,🌡️ temp,y\n1,2,3\n4,5,6\n7,8,9\n")
    write("inf_and_huge.csv", "a,b,y\n1,inf,1\n2,1e308,2\n3,-inf,3\n4,5,4\n")
    write("no_header_numbers.csv", "1,2,3\n4,5,6\n7,8,9\n")
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(10, 40)), columns=[f"f{j}" for j in range(40)])
    wide["y"] = rng.normal(size=10)
    write("p_greater_than_n.csv", wide.to_csv(index=False))
    col = rng.normal(size=20)
    collinear = pd.DataFrame({"a": col, "b": 2 * col, "c": rng.normal(size=20), "y": col + rng.normal(size=20)})
    write("perfectly_collinear.csv", collinear.to_csv(index=False))
    write("single_column.csv", "y\n1\n2\n3\n")
    # a yes/no target an analyst would upload (text classes, a text feature, the target last)
    rng_churn = np.random.default_rng(7)
    tenure = rng_churn.integers(1, 72, 240)
    charges = np.round(rng_churn.uniform(20, 120, 240), 2)
    plan = rng_churn.choice(["monthly", "yearly", "two-year"], 240)
    eta = 1.2 - 0.05 * tenure + 0.02 * charges + np.where(plan == "monthly", 0.8, -0.6)
    churned = np.where(rng_churn.random(240) < 1 / (1 + np.exp(-eta)), "yes", "no")
    write("churn_yes_no.csv", pd.DataFrame({"tenure": tenure, "monthly_charges": charges, "plan": plan,
                                            "churned": churned}).to_csv(index=False))
    # a category target with three text classes (iris, bundled with scikit-learn), the target last
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    flowers = iris.frame.drop(columns="target").rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    flowers["species"] = np.asarray(iris.target_names)[iris.target]
    write("iris_species.csv", flowers.to_csv(index=False))
    write("quoted_semicolon.csv", 'name;value;y\n"Smith; John";1,5;2\n"Doe; Jane";2,5;3\n"Roe";3,5;4\n')
    write("not_really.xlsx", base)
    write("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    frame = pd.DataFrame({"x1": [1.5, 2.5, 3.5], "group": ["a", "b", "a"], "y": [1.0, 2.0, 3.0]})
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="openpyxl")
    write("workbook.xlsx", buf.getvalue())
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    write("table.parquet", buf.getvalue())


if __name__ == "__main__":
    main()
