"""Unit statistical reports (WCSTAT) to the rating bureaus: the byte layout as data, the records
built from pinned audit results, corrections, routing by state, and the reports as sent."""
