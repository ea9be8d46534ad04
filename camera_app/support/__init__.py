"""Support for people who report harmful content or search for it: helplines per country, the
support card, and the searches and report reasons that call for it."""
