"""Premium reports (pay-as-you-go): periodic reports of exposure, rated and billed against a
deposit."""
