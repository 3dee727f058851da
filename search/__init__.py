"""defsearch: bilingual (Russian + English) full-text search over defense news."""
