"""Tests for the rating engine (no database)."""
