"""Demo data for beatgrid: a seeded, synthetic street-office district (see docs/demo.md)."""
