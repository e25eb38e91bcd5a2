"""Workflows between the routes and the engines, testable without HTTP."""
