"""Shared UI pieces for the pages: charts, widgets, URL and session state, engine source."""
