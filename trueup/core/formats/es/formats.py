"""Spanish as written in the United States (CLDR es-US): dates in words ("4 de diciembre de
2026"), and numbers and dollars as every US form writes them ($4,459.00), so an amount reads the
same on the Spanish letter as on the English bill. A date typed into a form is read the same way
in both languages (the browser's date field sends 2026-12-04), so no form changes meaning with
the language it is shown in."""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i a"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y g:i a"
FIRST_DAY_OF_WEEK = 0  # Sunday, as US calendars start the week
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
