#!/usr/bin/env bash
# How the LibreOffice exports beside this script were made (run by hand; CI reads the committed files).
# Needs Debian's libreoffice-calc-nogui. source.csv and formula_source.csv are the inputs.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
soffice --headless --infilter="Text - txt - csv (StarCalc):44,34,76,1" --convert-to xlsx --outdir "$tmp" source.csv
cp "$tmp/source.xlsx" lo_calc_cities.xlsx
# Token 13 = evaluate formulas: Calc stores each formula with its computed value.
cp formula_source.csv "$tmp/formula.csv"
soffice --headless --infilter="Text - txt - csv (StarCalc):44,34,76,1,,,,,,,,,true" --convert-to xlsx --outdir "$tmp" "$tmp/formula.csv"
cp "$tmp/formula.xlsx" lo_calc_formulas.xlsx
# Filter options: field separator, text delimiter, character set (76 UTF-8, 1 Windows-1252,
# 65535 UTF-16), first line, cell format, language, quote all text cells.
conv() { soffice --headless --convert-to "$3:Text - txt - csv (StarCalc):$2" --outdir "$tmp" lo_calc_cities.xlsx; mv "$tmp/lo_calc_cities.$3" "$1"; }
conv lo_comma_utf8.csv "44,34,76,1" csv
conv lo_semicolon_utf8.csv "59,34,76,1" csv
conv lo_tab_utf8.tsv "9,34,76,1" tsv
conv lo_semicolon_cp1252.csv "59,34,1,1" csv
conv lo_comma_utf16.csv "44,34,65535,1" csv
conv lo_quote_all_text.csv "44,34,76,1,,0,true" csv
conv lo_pipe_utf8.txt "124,34,76,1" txt
conv lo_single_quote.csv "44,39,76,1" csv
conv lo_semicolon_quote_all_cp1252.csv "59,34,1,1,,0,true" csv
rm -rf "$tmp"
