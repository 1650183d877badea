"""Answers questions about a research institute's Jekyll website with verbatim, linked quotes."""
