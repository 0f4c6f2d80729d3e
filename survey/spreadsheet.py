"""Exported text that a spreadsheet would run as a formula (OWASP "CSV Injection").

Excel, LibreOffice and Google Sheets read a cell that starts with =, +, -, @, tab or carriage
return as a formula: a team named =HYPERLINK("http://evil","Open") would become a live link (or,
through DDE, a command) on the machine of whoever opens the export. An HR admin names the teams,
so every CSV and XLSX cell we write goes through `spreadsheet_cell`. It lives in `survey` so
that the issue_links command and the analytics API share it.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """Text is prefixed with a single quote, which spreadsheets read as "this is text", when it
    would start a formula. Anything that is not text, negative numbers included, is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
