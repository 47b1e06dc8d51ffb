"""Pressroom: one manuscript to a typeset newspaper page (PDF) and an e-book (EPUB)."""
from .libraries import skip_portable_names

skip_portable_names()
