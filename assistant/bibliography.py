"""jekyll-scholar's bibliography tags (placeholder)."""
TAGS: list = []
